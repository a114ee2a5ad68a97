using TypedState.DependencyInjection;
using TypedState.InMemory;

namespace TypedState.AgentFramework.Tests;

public sealed class InMemoryAgentFrameworkTests : AgentFrameworkStoreTests, IDisposable
{
    // One driver for every "process" of a test: it is the store that outlives them.
    private readonly InMemoryStateDriver _driver = new();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseDriver("InMemory", _ => _driver);

    public void Dispose() => _driver.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
