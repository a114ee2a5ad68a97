using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>The snapshot conformance suite against the SQLite driver, one new database file per driver.</summary>
public sealed class SqliteTimelineSnapshotConformanceTests : TimelineSnapshotConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult(SqliteTimelineConformanceTests.NewDriver(_directory));

    public void Dispose() => _directory.Dispose();
}
