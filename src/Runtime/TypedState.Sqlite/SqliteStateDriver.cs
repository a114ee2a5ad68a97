using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedState.Storage;

namespace TypedState.Sqlite;

/// <summary>
/// Stores state in one SQLite file in WAL mode. Reads run on pooled connections; every write goes through one write
/// connection (SqliteWriter) that queues the writers of this process fairly and commits queued writes together, each
/// batch in a <c>BEGIN IMMEDIATE</c> transaction (or a savepoint of a shared one) whose statements carry the
/// version conditions, so commits are atomic across threads and processes sharing the file. The tables are created
/// on first use; their storage layout is versioned and upgraded in place. Guild timelines
/// (<see cref="ITimelineDriver"/>) are logged in the committing transaction; forks read through their source.
/// </summary>
public sealed partial class SqliteStateDriver : IStateDriver, ITimelineDriver, IDisposable
{
    private readonly SqliteSessionPool _sessions;
    private readonly string _connectionString;
    private readonly SqliteStateDriverOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    /// <summary>The listing list's first capacity: a larger ListPageSize grows it only for listings that fill it.</summary>
    private const int FirstPageBuffer = 256;

    // One file per concern: reads, listings and owner removal here; the commit protocol in .Commit.cs, locks in
    // .Locks.cs, guild timelines in .Timeline.cs and the read-through of forks in .Forks.cs (with SqliteTimelines,
    // SqliteTimelineWrites and SqliteTimelineRemoval); the read connections in SqliteSessionPool, the write connection
    // and its queue in SqliteWriter, the file's set-up and storage layout in SqliteStorageLayout.

    /// <summary>Creates the driver; the file and its tables are created on first use.</summary>
    public SqliteStateDriver(SqliteStateDriverOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _clock = options.TimeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteStateDriver>();

        // The driver pools connections itself (each keeps its prepared statements), so the provider's pool is off.
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString)
        {
            Pooling = false,
            // The provider's own busy retry (reads only; the writer bypasses it): 0 would mean forever.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        if (builder.Mode is SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException(
                "The SQLite driver needs a file (Data Source=path): in-memory SQLite databases are private to one connection. Use the in-memory driver instead.",
                nameof(options));
        }

        _connectionString = builder.ToString();
        _sessions = new SqliteSessionPool(_connectionString, options, session => SqliteStorageLayout.Prepare(session.Connection, DataSource, _logger));
        Writer = new SqliteWriter(_sessions, options, _clock, DataSource);
    }

    /// <summary>Creates the driver from dependency-injection options.</summary>
    public SqliteStateDriver(IOptions<SqliteStateDriverOptions> options, ILoggerFactory? loggerFactory = null)
        : this(options?.Value!, loggerFactory)
    {
    }

    /// <inheritdoc />
    public string Name => "sqlite";

    /// <summary>The path of the database file.</summary>
    public string DataSource => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>How many write transactions this driver committed (a group of queued writes counts once).</summary>
    internal long WriteTransactions => Writer.Transactions;

    /// <summary>The writer, for its test seam (<see cref="SqliteWriter.CommitFault"/>).</summary>
    internal SqliteWriter Writer { get; }

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<StoredRecord?>(InSession((owner, key), static (session, target) =>
        {
            var read = session.Statement(SqliteSql.Read);
            try
            {
                read.BindRecord(target.owner, target.key);
                if (read.Step())
                {
                    // A row, live or tombstone, is the answer, in a fork too (a fork's own rows win over its source).
                    return read.IsNull(0) ? null : new StoredRecord(target.key, read.Blob(0).ToArray(), read.Int64(1));
                }
            }
            finally
            {
                // Reset before InSession hands the session back to the pool: no read transaction stays open.
                read.Reset();
            }

            // No row at all: only a fork can still hold the record, through its source.
            return target.owner.Scope != Scope.Global && IsFork(session, target.owner.GuildIdOrEmpty)
                ? ReadThroughFork(session, target.owner, target.key)
                : null;
        }));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // With forks in the file (one probe tells), their owners, own or read through, are merged in; materialised.
        if (scope != Scope.Global && ForkOwners(scope) is { } forks)
        {
            var owners = forks.Owners;
            await foreach (var owner in ListStoredOwnersAsync(scope, cancellationToken).ConfigureAwait(false))
            {
                if (!forks.Forks.Contains(owner.GuildIdOrEmpty))
                {
                    owners.Add(owner);
                }
            }

            owners.Sort(static (a, b) =>
            {
                var byGuild = StateKeyOrder.Comparer.Compare(a.GuildIdOrEmpty, b.GuildIdOrEmpty);
                return byGuild != 0 ? byGuild : StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty);
            });
            foreach (var owner in owners)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return owner;
            }

            yield break;
        }

        await foreach (var owner in ListStoredOwnersAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            yield return owner;
        }
    }

    /// <summary>The owners holding live rows of their own.</summary>
    private async IAsyncEnumerable<StateOwner> ListStoredOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pages of ListPageSize owners, each its own query: no reader stays open while the caller works
        // (and perhaps writes), and each page resumes after the last owner listed. SQLite answers synchronously: the
        // iterator awaits nothing, so it never hops to the thread pool between pages.
        await Task.CompletedTask.ConfigureAwait(false);
        (string Guild, string Agent)? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = ReadOwnersPage(scope, after);
            foreach (var (guild, agent) in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return StateOwner.FromStored(scope, guild, agent);
            }

            if (page.Count < _options.ListPageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Pages of ListPageSize keys: no connection is held while the caller processes a page. One list serves every
        // page; SQLite answers synchronously, so the iterator awaits nothing and needs no thread hop.
        await Task.CompletedTask.ConfigureAwait(false);
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        var lower = prefix;
        var first = true;
        var page = new List<StoredRecord>(Math.Min(_options.ListPageSize, FirstPageBuffer));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadPage(owner, lower, upper, first, page) is { } fork)
            {
                foreach (var record in fork)
                {
                    yield return record;
                }

                yield break;
            }

            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < _options.ListPageSize)
            {
                yield break;
            }

            lower = page[^1].Key;
            first = false;
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        var (raiseFloor, remove) = owner.Scope switch
        {
            Scope.Agent => (SqliteSql.RaiseFloorForAgent, SqliteSql.RemoveAgent),
            Scope.Guild => (SqliteSql.RaiseFloorForGuild, SqliteSql.RemoveGuild),
            _ => throw new ArgumentException("Global state is never removed implicitly.", nameof(owner)),
        };
        return new ValueTask(RemoveAsync(owner, raiseFloor, remove, cancellationToken));
    }

    /// <summary>
    /// Raises the guild's version floor to the highest version removed, then deletes, in one write transaction: a
    /// commit is serialized before or after it as a whole.
    /// </summary>
    private async Task RemoveAsync(StateOwner owner, string raiseFloor, string remove, CancellationToken cancellationToken)
    {
        var removed = await Writer.Run(
            (owner, raiseFloor, remove, clock: _clock, retention: _options.CommitIdRetention),
            static (session, target) =>
            {
                // A guild with live forks is refused here, before anything changes.
                var timeline = SqliteTimelineRemoval.Prepare(session, target.owner);
                var raise = session.Command(target.raiseFloor, null);
                BindRemoved(raise, target.owner);
                raise.ExecuteNonQuery();
                var delete = session.Command(target.remove, null);
                BindRemoved(delete, target.owner);
                var count = delete.ExecuteNonQuery();
                if (timeline is not null)
                {
                    SqliteTimelineRemoval.Complete(session, timeline, target.owner, target.clock.GetUtcNow().ToUnixTimeMilliseconds(), target.retention);
                }

                return (count, true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken).ConfigureAwait(false);
        LogRemoved(owner, removed);
    }

    private static void BindRemoved(SqliteCommand command, StateOwner owner)
    {
        SqliteSession.Bind(command, "$guild", owner.GuildIdOrEmpty);
        if (owner.Scope == Scope.Agent)
        {
            SqliteSession.Bind(command, "$agent", owner.AgentIdOrEmpty);
        }
    }

    /// <summary>
    /// Creates the database file, switches it to WAL and creates or upgrades its tables now, rather than on the first
    /// operation, so another process can open it at once.
    /// </summary>
    public ValueTask EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Any pooled session has a prepared file behind it: renting one prepares it if nobody has yet.
            InSession(0, static (_, _) => 0);
            return ValueTask.CompletedTask;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>Stops the writer (queued writes fail, applying nothing) and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync().ConfigureAwait(false);
        _sessions.Dispose();
    }

    /// <summary>
    /// <see cref="DisposeAsync"/>, synchronously (a write in hand is local and short), so a service provider disposed
    /// with <c>using</c> can dispose the driver.
    /// </summary>
    public void Dispose()
    {
        Writer.Dispose();
        _sessions.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled session (see <see cref="SqliteSessionPool.Run"/>). The state argument
    /// lets hot paths pass static lambdas, which allocate nothing.
    /// </summary>
    private T InSession<TState, T>(TState state, Func<SqliteSession, TState, T> work)
    {
        ObjectDisposedException.ThrowIf(_sessions.IsDisposed, this);
        return _sessions.Run(state, work);
    }

    /// <summary>
    /// Reads a page of the owner's records into <paramref name="page"/> (cleared first); on the first page of a fork's
    /// owner, returns its whole listing instead.
    /// </summary>
    private List<StoredRecord>? ReadPage(StateOwner owner, string lower, string? upper, bool first, List<StoredRecord> page)
    {
        var sql = (first, upper is null) switch
        {
            (true, false) => SqliteSql.ListFirstBounded,
            (false, false) => SqliteSql.ListNextBounded,
            (true, true) => SqliteSql.ListFirstUnbounded,
            (false, true) => SqliteSql.ListNextUnbounded,
        };
        page.Clear();
        return InSession((owner, sql, lower, upper, first, page, limit: _options.ListPageSize), static List<StoredRecord>? (session, query) =>
        {
            // The first page's lower bound is the prefix itself.
            if (query.first && query.owner.Scope != Scope.Global && IsFork(session, query.owner.GuildIdOrEmpty))
            {
                return ListFork(session, query.owner, query.lower);
            }

            var list = session.Statement(query.sql);
            try
            {
                list.BindOwner(query.owner);
                list.Bind("$lower", query.lower);
                if (query.upper is not null)
                {
                    list.Bind("$upper", query.upper);
                }

                list.Bind("$limit", query.limit);
                while (list.Step())
                {
                    query.page.Add(new StoredRecord(list.Text(0), list.Blob(1).ToArray(), list.Int64(2)));
                }

                return null;
            }
            finally
            {
                list.Reset();
            }
        });
    }

    private List<(string Guild, string Agent)> ReadOwnersPage(Scope scope, (string Guild, string Agent)? after) =>
        InSession((scope, after, limit: (long)_options.ListPageSize), static (session, query) =>
        {
            var owners = session.Statement(query.after is null ? SqliteSql.ListOwnersFirst : SqliteSql.ListOwnersNext);
            try
            {
                owners.Bind("$scope", (long)query.scope);
                if (query.after is { } cursor)
                {
                    owners.Bind("$guild", cursor.Guild);
                    owners.Bind("$agent", cursor.Agent);
                }

                owners.Bind("$limit", query.limit);
                var page = new List<(string Guild, string Agent)>();
                while (owners.Step())
                {
                    page.Add((owners.Text(0), owners.Text(1)));
                }

                return page;
            }
            finally
            {
                owners.Reset();
            }
        });

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Removed {Count} SQLite records of {Owner}")]
    private partial void LogRemoved(StateOwner owner, int count);
}
