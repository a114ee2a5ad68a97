using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Sqlite;

namespace TypedState.TestWorker;

/// <summary>
/// Which store a worker opens, as one command-line argument: <c>redis|&lt;configuration&gt;|&lt;keyPrefix&gt;</c>,
/// <c>postgres|&lt;connectionString&gt;|&lt;schema&gt;</c>, or <c>sqlite|&lt;connectionString&gt;</c>; anything
/// else is taken as a SQLite connection string.
/// </summary>
internal static class StoreSpec
{
    public static StateManager Open(string spec)
    {
        var parts = spec.Split('|');
        return parts[0] switch
        {
            "redis" when parts.Length == 3 => new RedisStateManager(parts[1], parts[2]),
            "postgres" when parts.Length == 3 => new PostgresStateManager(parts[1], parts[2]),
            "sqlite" when parts.Length == 2 => new SqliteStateManager(parts[1]),
            _ => new SqliteStateManager(spec),
        };
    }
}
