using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>The conformance suite against the SQLite driver, one new temporary database file per driver.</summary>
public sealed class SqliteConformanceTests : StateStoreConformanceTests
{
    private readonly List<string> _paths = [];

    protected override ValueTask<IStateDriver> CreateDriverAsync() => Create(listPageSize: null);

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) => Create(listPageSize);

    private ValueTask<IStateDriver> Create(int? listPageSize)
    {
        var path = Path.Combine(Path.GetTempPath(), $"typedstate-conformance-{Guid.NewGuid():N}.db");
        _paths.Add(path);

        // Synchronous = Normal: in WAL mode it changes only whether a commit waits for fsync (power-loss durability,
        // which SqliteCrashDurabilityTests covers), not atomicity, isolation or versions. With the default Full the
        // suite spends most of its time in fsync (about 34 s instead of 5 s on 2 cores).
        var options = new SqliteStateDriverOptions
        {
            ConnectionString = $"Data Source={path}",
            Synchronous = SqliteSynchronousMode.Normal,
        };
        if (listPageSize is { } pageSize)
        {
            options.ListPageSize = pageSize;
        }

        return ValueTask.FromResult<IStateDriver>(new SqliteStateDriver(options));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var path in _paths)
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
            {
                File.Delete(file);
            }
        }
    }
}
