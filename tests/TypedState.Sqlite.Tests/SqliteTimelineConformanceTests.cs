using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>The timeline conformance suite against the SQLite driver, one new database file per driver.</summary>
public sealed class SqliteTimelineConformanceTests : TimelineConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult(NewDriver(_directory));

    // xUnit calls Dispose after DisposeAsync, which has closed the drivers.
    public void Dispose() => _directory.Dispose();

    /// <summary>A driver on a new file of <paramref name="directory"/>, for the timeline and snapshot suites.</summary>
    /// <remarks>Synchronous = Normal, as in SqliteConformanceTests: durability against power loss is not what these suites check.</remarks>
    internal static IStateDriver NewDriver(TempDirectory directory) =>
        new SqliteStateDriver(new SqliteStateDriverOptions
        {
            ConnectionString = directory.ConnectionString($"{Guid.NewGuid():N}.db"),
            Synchronous = SqliteSynchronousMode.Normal,
        });
}
