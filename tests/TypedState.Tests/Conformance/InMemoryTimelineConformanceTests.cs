using TypedState.InMemory;
using TypedState.Storage;
using TypedState.Testing;

namespace TypedState.Tests.Conformance;

/// <summary>The timeline conformance suite against the in-memory driver.</summary>
public sealed class InMemoryTimelineConformanceTests : TimelineConformanceTests
{
    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult<IStateDriver>(new InMemoryStateDriver());
}

/// <summary>The snapshot conformance suite against the in-memory driver.</summary>
public sealed class InMemoryTimelineSnapshotConformanceTests : TimelineSnapshotConformanceTests
{
    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult<IStateDriver>(new InMemoryStateDriver());
}
