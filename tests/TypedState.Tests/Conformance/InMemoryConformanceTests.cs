using TypedState.InMemory;
using TypedState.Storage;
using TypedState.Testing;

namespace TypedState.Tests.Conformance;

/// <summary>The conformance suite against the in-memory driver.</summary>
public sealed class InMemoryConformanceTests : StateStoreConformanceTests
{
    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult<IStateDriver>(new InMemoryStateDriver());
}
