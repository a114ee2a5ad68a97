using System.Text;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Benchmarks.Probe;

/// <summary>
/// Operations of one version of the PostgreSQL driver, each a <see cref="Func{TResult}"/> that blocks until done and
/// returns a version: a type every assembly load context shares, so a harness can call two versions of the driver
/// loaded side by side. Each call to a factory builds its own store (and connection pool) in <c>schema</c>.
/// </summary>
public static class PostgresProbe
{
    private static readonly StateOwner s_agent = StateOwner.Agent("bench-guild", "bench-agent");

    /// <summary>A 68-byte document like the drivers benchmark's profile.</summary>
    private static readonly byte[] s_value = Encoding.UTF8.GetBytes("{\"name\":\"Ada\",\"age\":36,\"tags\":[\"a\",\"b\"],\"scores\":{\"x\":1}}");

    /// <summary><c>SetAsync</c> of one agent record through the manager (a single-record commit with a commit id).</summary>
    public static Func<long> ManagerSet(string connectionString, string schema)
    {
        var state = new PostgresStateManager(connectionString, schema);
        return () => state.SetAsync(s_agent, "set", 42).AsTask().GetAwaiter().GetResult();
    }

    /// <summary><c>GetAsync</c> of one agent record through the manager (a point lookup).</summary>
    public static Func<long> ManagerGet(string connectionString, string schema)
    {
        var state = new PostgresStateManager(connectionString, schema);
        state.SetAsync(s_agent, "get", 42).AsTask().GetAwaiter().GetResult();
        return () => state.GetAsync<int>(s_agent, "get").AsTask().GetAwaiter().GetResult().Version;
    }

    /// <summary>A prefix listing through the manager: 50 of the owner's 1000 records, read in one page.</summary>
    public static Func<long> ManagerList(string connectionString, string schema)
    {
        var state = new PostgresStateManager(connectionString, schema);
        for (var i = 0; i < 1000; i++)
        {
            state.SetAsync(s_agent, $"memory/{i / 50:D2}/{i % 50:D2}", i).AsTask().GetAwaiter().GetResult();
        }

        return () =>
        {
            var listed = 0L;
            var entries = state.ListAsync<int>(s_agent, "memory/07/").GetAsyncEnumerator();
            try
            {
                while (entries.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    listed += entries.Current.Version;
                }
            }
            finally
            {
                entries.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return listed;
        };
    }

    /// <summary>An optimistic increment through the manager: a read, then a conditional single-record commit.</summary>
    public static Func<long> ManagerUpdate(string connectionString, string schema)
    {
        var state = new PostgresStateManager(connectionString, schema);
        return () => state.UpdateAsync<int>(s_agent, "counter", n => n + 1).AsTask().GetAwaiter().GetResult().Version;
    }

    /// <summary>A transaction writing an agent record and a guild record: one two-record batch with a commit id.</summary>
    public static Func<long> ManagerTransaction(string connectionString, string schema)
    {
        var state = new PostgresStateManager(connectionString, schema);
        var guild = StateOwner.Guild("bench-guild");
        return () =>
        {
            var transaction = state.BeginTransactionAsync().AsTask().GetAwaiter().GetResult();
            try
            {
                transaction.SetAsync(s_agent, "tx-agent", 1).AsTask().GetAwaiter().GetResult();
                transaction.SetAsync(guild, "tx-guild", 2).AsTask().GetAwaiter().GetResult();
                transaction.CommitAsync().AsTask().GetAwaiter().GetResult();
                return 1;
            }
            finally
            {
                transaction.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        };
    }

    /// <summary>The driver's CommitAsync alone: one unconditional set, of an agent or a global record, with or without a commit id.</summary>
    public static Func<long> DriverSet(string connectionString, string schema, bool global, bool withCommitId)
    {
        var driver = new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = connectionString, Schema = schema });
        var owner = global ? StateOwner.Global : s_agent;
        IReadOnlyList<StateWrite> writes = [new StateWrite(owner, "driver-set", StateWriteKind.Set, s_value, null)];
        return () => driver.CommitAsync(writes, [], withCommitId ? CommitId.New() : CommitId.None, CancellationToken.None).AsTask().GetAwaiter().GetResult().Versions[0];
    }
}
