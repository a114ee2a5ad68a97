using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedState.Storage;

namespace TypedState.Sqlite;

/// <summary>
/// Stores state in one SQLite file in WAL mode. A batch is one <c>BEGIN IMMEDIATE</c> transaction, a single write
/// one statement whose <c>WHERE</c> carries the version condition, so commits are atomic across threads and
/// processes sharing the file. The tables are created on first use; their storage layout is versioned and upgraded in place.
/// </summary>
public sealed partial class SqliteStateDriver : IStateDriver
{
    private readonly ConcurrentBag<SqliteSession> _idle = new();
    private readonly string _connectionString;
    private readonly SqliteStateDriverOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _initializeGate = new();
    private readonly TimeProvider _clock;
    private volatile bool _initialized;
    private volatile bool _disposed;

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
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        if (builder.Mode is SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException(
                "The SQLite driver needs a file (Data Source=path): in-memory SQLite databases are private to one connection. Use the in-memory driver instead.",
                nameof(options));
        }

        _connectionString = builder.ToString();
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

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<StoredRecord?>(InSession((owner, key), static (session, target) =>
        {
            var command = session.Command(SqliteSql.Read, null);
            SqliteSession.BindRecord(command, target.owner, target.key);

            // The reader is closed here, before InSession hands the session back to the pool for another thread.
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new StoredRecord(target.key, reader.GetFieldValue<byte[]>(0), reader.GetInt64(1))
                : (StoredRecord?)null;
        }));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pages of ListPageSize owners, each its own query: no reader stays open while the caller works
        // (and perhaps writes), and each page resumes after the last owner listed.
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
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Pages of ListPageSize keys: no connection is held while the caller processes a page.
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        var lower = prefix;
        var first = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = ReadPage(owner, lower, upper, first);
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
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<CommitResult>(InSession((writes, fences), static (session, batch) =>
            batch.writes.Count == 1 && batch.fences.Count == 0
                ? CommitOne(session, batch.writes[0])
                : CommitBatch(session, batch.writes, batch.fences)));
    }

    /// <inheritdoc />
    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sql = owner.Scope switch
        {
            Scope.Agent => SqliteSql.RemoveAgent,
            Scope.Guild => SqliteSql.RemoveGuild,
            _ => throw new ArgumentException("Global state is never removed implicitly.", nameof(owner)),
        };
        var removed = InSession((owner, sql), static (session, target) =>
        {
            var command = session.Command(target.sql, null);
            SqliteSession.Bind(command, "$guild", target.owner.GuildIdOrEmpty);
            if (target.owner.Scope == Scope.Agent)
            {
                SqliteSession.Bind(command, "$agent", target.owner.AgentIdOrEmpty);
            }

            return command.ExecuteNonQuery();
        });
        LogRemoved(owner, removed);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<LockGrant?>(InSession((owner, key, lease, clock: _clock), static (session, request) =>
        {
            using var transaction = session.Connection.BeginTransaction(deferred: false);
            var now = request.clock.GetUtcNow();
            var conflict = session.Command(request.key is null ? SqliteSql.OwnerLockConflict : SqliteSql.KeyLockConflict, transaction);
            BindLock(conflict, request.owner, request.key);
            SqliteSession.Bind(conflict, "$now", now.ToUnixTimeMilliseconds());
            if (SqliteSession.ExecuteVersion(conflict) is not null)
            {
                transaction.Rollback();
                return (LockGrant?)null;
            }

            var next = session.Command(SqliteSql.NextLockToken, transaction);
            SqliteSession.BindOwner(next, request.owner);
            var grant = new LockGrant(SqliteSession.ExecuteVersion(next) ?? 1, now + request.lease);
            var write = session.Command(SqliteSql.GrantLock, transaction);
            BindLock(write, request.owner, request.key);
            SqliteSession.Bind(write, "$token", grant.Token);
            SqliteSession.Bind(write, "$expires", grant.ExpiresAt.ToUnixTimeMilliseconds());
            write.ExecuteNonQuery();
            transaction.Commit();
            return grant;
        }));
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<LockGrant?>(InSession((owner, key, token, lease, clock: _clock), static (session, request) =>
        {
            var now = request.clock.GetUtcNow();
            var command = session.Command(SqliteSql.RenewLock, null);
            BindLock(command, request.owner, request.key);
            SqliteSession.Bind(command, "$token", request.token);
            SqliteSession.Bind(command, "$now", now.ToUnixTimeMilliseconds());
            SqliteSession.Bind(command, "$expires", (now + request.lease).ToUnixTimeMilliseconds());
            return SqliteSession.ExecuteVersion(command) is null ? (LockGrant?)null : new LockGrant(request.token, now + request.lease);
        }));
    }

    /// <inheritdoc />
    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        InSession((owner, key, token), static (session, request) =>
        {
            var command = session.Command(SqliteSql.ReleaseLock, null);
            BindLock(command, request.owner, request.key);
            SqliteSession.Bind(command, "$token", request.token);
            return command.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes every pooled connection.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static void BindLock(SqliteCommand command, StateOwner owner, string? key)
    {
        SqliteSession.BindOwner(command, owner);
        SqliteSession.Bind(command, "$resource", key ?? string.Empty);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled session and returns the session to the pool; a session that failed
    /// is closed, not reused. The state argument lets hot paths pass static lambdas, which allocate nothing.
    /// </summary>
    private T InSession<TState, T>(TState state, Func<SqliteSession, TState, T> work)
    {
        var session = Rent();
        try
        {
            var result = work(session, state);
            Return(session);
            return result;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static CommitResult CommitOne(SqliteSession session, StateWrite write)
    {
        var outcome = Apply(session, null, write);
        return outcome.Applied
            ? CommitResult.Success([outcome.Version])
            : CommitResult.Conflict(0, outcome.Version);
    }

    private static CommitResult CommitBatch(SqliteSession session, IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences)
    {
        // BEGIN IMMEDIATE takes the write lock up front, so the checks and the writes see one state of the file.
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        for (var i = 0; i < fences.Count; i++)
        {
            var fence = fences[i];
            var command = session.Command(fence.Key is null ? SqliteSql.OwnerFenceToken : SqliteSql.KeyFenceToken, transaction);
            SqliteSession.BindOwner(command, fence.Owner);
            if (fence.Key is not null)
            {
                SqliteSession.Bind(command, "$resource", fence.Key);
            }

            var newest = SqliteSession.ExecuteVersion(command) ?? 0;
            if (newest > fence.Token)
            {
                transaction.Rollback();
                return CommitResult.FencedOut(i, newest);
            }
        }

        var versions = new long[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var outcome = Apply(session, transaction, writes[i]);
            if (!outcome.Applied)
            {
                transaction.Rollback();
                return CommitResult.Conflict(i, outcome.Version);
            }

            versions[i] = outcome.Version;
        }

        transaction.Commit();
        return CommitResult.Success(versions);
    }

    /// <summary>Applies one conditional write; on a failed condition returns the live version found.</summary>
    private static (bool Applied, long Version) Apply(SqliteSession session, SqliteTransaction? transaction, StateWrite write)
    {
        string? sql = (write.Kind, write.ExpectedVersion) switch
        {
            (StateWriteKind.Set, null) => SqliteSql.SetAny,
            (StateWriteKind.Set, 0) => SqliteSql.SetIfAbsent,
            (StateWriteKind.Set, _) => SqliteSql.SetIfVersion,
            (StateWriteKind.Delete, null) => SqliteSql.DeleteAny,
            (StateWriteKind.Delete, 0) => null,
            (StateWriteKind.Delete, _) => SqliteSql.DeleteIfVersion,
            (StateWriteKind.Check, _) => null,
            _ => throw new UnreachableException("Write kinds are checked before the batch is applied."),
        };

        if (sql is null)
        {
            // A check, or a delete that requires absence: nothing to write, only the condition to verify.
            var live = LiveVersion(session, transaction, write);
            return (write.IsSatisfiedBy(live), live);
        }

        var command = session.Command(sql, transaction);
        SqliteSession.BindRecord(command, write.Owner, write.Key);
        if (write.Kind == StateWriteKind.Set)
        {
            SqliteSession.Bind(command, "$value", AsArray(write.Value));
        }

        if (write.ExpectedVersion is > 0 and var expected)
        {
            SqliteSession.Bind(command, "$expected", expected);
        }

        if (SqliteSession.ExecuteVersion(command) is { } version)
        {
            return (true, version);
        }

        // No row changed: an unconditional delete of an absent key succeeded as a no-op; anything else conflicted.
        if (write is { Kind: StateWriteKind.Delete, ExpectedVersion: null })
        {
            return (true, 0);
        }

        return (false, LiveVersion(session, transaction, write));
    }

    /// <summary>The core hands over whole arrays it never reuses, so they bind without a copy.</summary>
    private static byte[] AsArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private static long LiveVersion(SqliteSession session, SqliteTransaction? transaction, StateWrite write)
    {
        var command = session.Command(SqliteSql.LiveVersion, transaction);
        SqliteSession.BindRecord(command, write.Owner, write.Key);
        return SqliteSession.ExecuteVersion(command) ?? 0;
    }

    private List<StoredRecord> ReadPage(StateOwner owner, string lower, string? upper, bool first)
    {
        var sql = (first, upper is null) switch
        {
            (true, false) => SqliteSql.ListFirstBounded,
            (false, false) => SqliteSql.ListNextBounded,
            (true, true) => SqliteSql.ListFirstUnbounded,
            (false, true) => SqliteSql.ListNextUnbounded,
        };
        return InSession((owner, sql, lower, upper, limit: (long)_options.ListPageSize), static (session, query) =>
        {
            var command = session.Command(query.sql, null);
            SqliteSession.BindOwner(command, query.owner);
            SqliteSession.Bind(command, "$lower", query.lower);
            if (query.upper is not null)
            {
                SqliteSession.Bind(command, "$upper", query.upper);
            }

            SqliteSession.Bind(command, "$limit", query.limit);
            var page = new List<StoredRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                page.Add(new StoredRecord(reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetInt64(2)));
            }

            return page;
        });
    }

    private List<(string Guild, string Agent)> ReadOwnersPage(Scope scope, (string Guild, string Agent)? after) =>
        InSession((scope, after, limit: (long)_options.ListPageSize), static (session, query) =>
        {
            var command = session.Command(query.after is null ? SqliteSql.ListOwnersFirst : SqliteSql.ListOwnersNext, null);
            SqliteSession.Bind(command, "$scope", (long)query.scope);
            if (query.after is { } cursor)
            {
                SqliteSession.Bind(command, "$guild", cursor.Guild);
                SqliteSession.Bind(command, "$agent", cursor.Agent);
            }

            SqliteSession.Bind(command, "$limit", query.limit);
            var page = new List<(string Guild, string Agent)>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                page.Add((reader.GetString(0), reader.GetString(1)));
            }

            return page;
        });

    private SqliteSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            return session;
        }

        EnsureInitialized();
        return Open();
    }

    private void Return(SqliteSession session)
    {
        if (_disposed || _idle.Count >= _options.MaxIdleConnections)
        {
            session.Dispose();
        }
        else
        {
            _idle.Add(session);
        }
    }

    private SqliteSession Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(
                CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(int)_options.Synchronous};");
            pragma.ExecuteNonQuery();
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void EnsureInitialized()
    {
        if (_initialized)
        {
            return;
        }

        lock (_initializeGate)
        {
            if (_initialized)
            {
                return;
            }

            using var session = Open();
            var connection = session.Connection;
            using (var wal = connection.CreateCommand())
            {
                // The journal mode is a property of the file; it cannot change inside a transaction.
                wal.CommandText = "PRAGMA journal_mode = WAL";
                var mode = wal.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"SQLite refused WAL mode for '{DataSource}' (journal mode is '{mode}').");
                }
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = SqliteSql.CreateLayoutVersionTable;
            command.ExecuteNonQuery();
            command.CommandText = SqliteSql.ReadLayoutVersion;
            var stored = command.ExecuteScalar() is long v ? (int)v : 0;
            if (stored > SqliteSql.LayoutVersion)
            {
                throw new StateException(
                    $"The SQLite database '{DataSource}' has TypedState storage layout version {stored}, newer than this driver understands " +
                    $"({SqliteSql.LayoutVersion}). Upgrade TypedState.Sqlite; the file was left unchanged.");
            }

            for (var next = stored + 1; next <= SqliteSql.LayoutVersion; next++)
            {
                command.CommandText = SqliteSql.LayoutUpgrades[next - 1];
                command.ExecuteNonQuery();
                LogLayoutUpgraded(DataSource, next);
            }

            if (stored < SqliteSql.LayoutVersion)
            {
                command.CommandText = SqliteSql.WriteLayoutVersion;
                command.Parameters.AddWithValue("$version", SqliteSql.LayoutVersion);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            _initialized = true;
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Upgraded the SQLite storage layout of '{DataSource}' to version {Version}")]
    private partial void LogLayoutUpgraded(string dataSource, int version);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Removed {Count} SQLite records of {Owner}")]
    private partial void LogRemoved(StateOwner owner, int count);
}
