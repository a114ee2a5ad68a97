using TypedState.DependencyInjection;
using TypedState.Sqlite;

namespace TypedState.AgentFramework.Tests;

public sealed class SqliteAgentFrameworkTests : AgentFrameworkStoreTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseSqlite(_directory.ConnectionString());

    public void Dispose() => _directory.Dispose();
}
