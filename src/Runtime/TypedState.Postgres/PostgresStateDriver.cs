using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TypedState.Storage;

namespace TypedState.Postgres;

/// <summary>
/// Stores state in PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>. A single write is one statement whose
/// <c>WHERE</c> (or <c>ON CONFLICT … WHERE</c>) carries the version condition; a batch, with its fences, is one
/// database transaction that applies everything or nothing. Locks are rows with leases measured by the database
/// clock and per-owner fencing tokens. The schema and its tables are created on first use; their storage layout is
/// versioned and upgraded in place.
/// </summary>
/// <remarks>
/// Rows of a batch are locked in one global order (scope, guild, agent, key), so concurrent batches do not deadlock
/// each other; a deadlock with another statement (for example an owner removal) is retried, as nothing was applied.
/// </remarks>
public sealed partial class PostgresStateDriver : IStateDriver
{
    /// <summary>How often a batch that applied nothing is run again after a deadlock or a concurrent change.</summary>
    private const int MaxAttempts = 5;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresSql _sql;
    private readonly int _pageSize;
    private readonly ILogger _logger;
    private readonly Lock _initializeGate = new();
    private Task? _initialization;

    /// <summary>
    /// Whether writes use the jsonb column when they can: <see cref="PostgresValueStorage.Jsonb"/> on a UTF-8
    /// database. Set by the initialization, which every operation awaits first.
    /// </summary>
    private bool _jsonbWrites;
    private volatile bool _disposed;

    /// <summary>Creates the driver; the schema and its tables are created on first use.</summary>
    public PostgresStateDriver(PostgresStateDriverOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _sql = new PostgresSql(options.Schema, options.ValueStorage);
        _pageSize = options.ListPageSize;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgresStateDriver>();
        if (options.DataSource is { } dataSource)
        {
            _dataSource = dataSource;
        }
        else
        {
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            var settings = builder.ConnectionStringBuilder;
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.ConnectionString };

            // A handful of fixed statements: prepared once per connection they skip parsing and planning, and since
            // the driver keeps no session state (only transaction-scoped locks), resetting a connection on its way
            // back to the pool is pure cost. Measured in benchmarks/README.md; explicit settings are kept.
            if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
            {
                settings.MaxAutoPrepare = 64;
            }

            if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
            {
                settings.NoResetOnClose = true;
            }

            if (loggerFactory is not null)
            {
                builder.UseLoggerFactory(loggerFactory);
            }

            _dataSource = builder.Build();
            _ownsDataSource = true;
        }
    }

    /// <summary>Creates the driver from dependency-injection options.</summary>
    public PostgresStateDriver(IOptions<PostgresStateDriverOptions> options, ILoggerFactory? loggerFactory = null)
        : this(options?.Value!, loggerFactory)
    {
    }

    /// <inheritdoc />
    public string Name => "postgres";

    /// <summary>The PostgreSQL schema holding the driver's tables.</summary>
    public string Schema => _sql.Schema;

    /// <summary>Where values are written: as jsonb when PostgreSQL can hold them (the default), or always as exact bytes.</summary>
    public PostgresValueStorage ValueStorage => _sql.Storage;

    /// <inheritdoc />
    public async ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_sql.Read);
        AddRecord(command.Parameters, owner, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRecord(key, ReadValue(reader, 0), reader.GetInt64(2))
            : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // Keyset pages of ListPageSize owners, each its own query: no connection or cursor is held while the caller
        // works (and perhaps writes), and each page resumes after the last owner listed.
        (string Guild, string Agent)? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await ReadOwnersPageAsync(scope, after, cancellationToken).ConfigureAwait(false);
            foreach (var (guild, agent) in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return StateOwner.FromStored(scope, guild, agent);
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // Pages of ListPageSize keys, each its own query: no connection is held while the caller processes a page.
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        var lower = prefix;
        var first = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await ReadPageAsync(owner, lower, upper, first, cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            lower = page[^1].Key;
            first = false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (writes.Count == 0 && fences.Count == 0)
        {
            return CommitResult.Success([]);
        }

        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == MaxAttempts;
            try
            {
                var result = writes.Count == 1 && fences.Count == 0
                    ? await CommitOneAsync(writes[0], last, cancellationToken).ConfigureAwait(false)
                    : await CommitBatchAsync(writes, fences, last, cancellationToken).ConfigureAwait(false);
                if (result is { } done)
                {
                    return done;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && !last)
            {
                LogRetried(ex.SqlState, attempt);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sql = owner.Scope switch
        {
            Scope.Agent => _sql.RemoveAgent,
            Scope.Guild => _sql.RemoveGuild,
            _ => throw new ArgumentException("Global state is never removed implicitly.", nameof(owner)),
        };
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = _dataSource.CreateCommand(sql);
                command.Parameters.Add(new NpgsqlParameter<string>("guild", owner.GuildIdOrEmpty));
                if (owner.Scope == Scope.Agent)
                {
                    command.Parameters.Add(new NpgsqlParameter<string>("agent", owner.AgentIdOrEmpty));
                }

                var removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                LogRemoved(owner, removed);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < MaxAttempts)
            {
                LogRetried(ex.SqlState, attempt);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // One round trip, one implicit transaction: the owner's advisory lock first, then the grant in a statement of
        // its own, whose snapshot therefore includes every grant committed before the lock was obtained.
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(OwnerLock(PostgresSql.LockOwnerExclusive, owner));
        var grant = new NpgsqlBatchCommand(key is null ? _sql.GrantOwnerLock : _sql.GrantKeyLock);
        AddLock(grant.Parameters, owner, key);
        grant.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        batch.BatchCommands.Add(grant);
        return await ReadGrantAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(OwnerLock(PostgresSql.LockOwnerExclusive, owner));
        var renew = new NpgsqlBatchCommand(_sql.RenewLock);
        AddLock(renew.Parameters, owner, key);
        renew.Parameters.Add(new NpgsqlParameter<long>("token", token));
        renew.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        batch.BatchCommands.Add(renew);
        return await ReadGrantAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_sql.ReleaseLock);
        AddLock(command.Parameters, owner, key);
        command.Parameters.Add(new NpgsqlParameter<long>("token", token));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the data source when the driver built it from a connection string.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A single write: one statement, committed on its own. Null asks for another attempt: the condition failed,
    /// but the record changed again before its live version could be read, so that it now holds.
    /// </summary>
    private async Task<CommitResult?> CommitOneAsync(StateWrite write, bool last, CancellationToken cancellationToken)
    {
        var sql = WriteStatement(write);
        if (sql is null)
        {
            // A check, or a delete that requires absence: nothing to write, only the condition to verify.
            var live = await LiveVersionAsync(null, write, cancellationToken).ConfigureAwait(false);
            return write.IsSatisfiedBy(live) ? CommitResult.Success([live]) : CommitResult.Conflict(0, live);
        }

        Outcome outcome;
        await using (var command = _dataSource.CreateCommand(sql))
        {
            AddWrite(command.Parameters, write);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            outcome = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
        }

        if (outcome.Written is { } version)
        {
            return CommitResult.Success([version]);
        }

        // No row changed: an unconditional delete of an absent key succeeded as a no-op; anything else conflicted.
        if (write is { Kind: StateWriteKind.Delete, ExpectedVersion: null })
        {
            return CommitResult.Success([0]);
        }

        var found = await FailedVersionAsync(null, write, outcome.Seen, cancellationToken).ConfigureAwait(false);
        return write.IsSatisfiedBy(found) && !last ? null : CommitResult.Conflict(0, found);
    }

    /// <summary>
    /// A batch with its fences in one round trip: the fence owners' shared advisory locks, the fence tokens, then
    /// every entry in record order. A batch that writes runs in an explicit transaction, committed only when every
    /// fence and condition held; its checks lock the rows they read so that they still hold at commit. A batch
    /// that only checks needs no locks: each check's snapshot follows the previous one's, so all its reads were
    /// true together at the moment of the first check. Null asks for another attempt, as in <see cref="CommitOneAsync"/>.
    /// </summary>
    private async Task<CommitResult?> CommitBatchAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, bool last, CancellationToken cancellationToken)
    {
        var statements = new string?[writes.Count];
        var writing = false;
        for (var i = 0; i < writes.Count; i++)
        {
            statements[i] = WriteStatement(writes[i]);
            writing |= statements[i] is not null;
        }

        var order = new int[writes.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => CompareRecords(writes[a], writes[b]));

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = writing ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        await using var batch = new NpgsqlBatch(connection, transaction);

        var fenceLocks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var fence in fences)
        {
            fenceLocks.Add(OwnerLockName(fence.Owner));
        }

        foreach (var name in fenceLocks)
        {
            var command = new NpgsqlBatchCommand(PostgresSql.LockOwnerShared);
            command.Parameters.Add(new NpgsqlParameter<string>("lock", name));
            batch.BatchCommands.Add(command);
        }

        foreach (var fence in fences)
        {
            var command = new NpgsqlBatchCommand(fence.Key is null ? _sql.OwnerFenceToken : _sql.KeyFenceToken);
            AddOwner(command.Parameters, fence.Owner);
            if (fence.Key is not null)
            {
                command.Parameters.Add(new NpgsqlParameter<string>("resource", fence.Key));
            }

            batch.BatchCommands.Add(command);
        }

        foreach (var i in order)
        {
            var command = new NpgsqlBatchCommand(statements[i] ?? (writing ? _sql.LockedLiveVersion : _sql.LiveVersion));
            if (statements[i] is null)
            {
                AddRecord(command.Parameters, writes[i].Owner, writes[i].Key);
            }
            else
            {
                AddWrite(command.Parameters, writes[i]);
            }

            batch.BatchCommands.Add(command);
        }

        var results = new Outcome[batch.BatchCommands.Count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var c = 0; c < results.Length; c++)
            {
                if (c > 0)
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                if (c >= fenceLocks.Count)
                {
                    results[c] = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        for (var f = 0; f < fences.Count; f++)
        {
            var newest = results[fenceLocks.Count + f].Written ?? 0;
            if (newest > fences[f].Token)
            {
                await RollbackAsync(transaction).ConfigureAwait(false);
                return CommitResult.FencedOut(f, newest);
            }
        }

        var versions = new long[writes.Count];
        var failed = -1;
        var first = fenceLocks.Count + fences.Count;
        for (var p = 0; p < order.Length; p++)
        {
            var i = order[p];
            var result = results[first + p].Written;
            if (statements[i] is null)
            {
                versions[i] = result ?? 0;
                if (!writes[i].IsSatisfiedBy(versions[i]) && (failed < 0 || i < failed))
                {
                    failed = i;
                }
            }
            else if (result is { } version)
            {
                versions[i] = version;
            }
            else if (writes[i] is not { Kind: StateWriteKind.Delete, ExpectedVersion: null } && (failed < 0 || i < failed))
            {
                failed = i;
            }
        }

        if (failed >= 0)
        {
            // A check's result is the live version it found; a write reports the version it saw.
            var live = statements[failed] is null
                ? versions[failed]
                : await FailedVersionAsync(connection, writes[failed], results[first + Array.IndexOf(order, failed)].Seen, cancellationToken).ConfigureAwait(false);
            await RollbackAsync(transaction).ConfigureAwait(false);
            return statements[failed] is not null && writes[failed].IsSatisfiedBy(live) && !last
                ? null
                : CommitResult.Conflict(failed, live);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return CommitResult.Success(versions);
    }

    private static async Task RollbackAsync(NpgsqlTransaction? transaction)
    {
        if (transaction is not null)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The statement that applies a write, or null when the entry writes nothing (a check, or a delete requiring absence).</summary>
    private string? WriteStatement(StateWrite write) => (write.Kind, write.ExpectedVersion) switch
    {
        (StateWriteKind.Set, null) => _sql.SetAny,
        (StateWriteKind.Set, 0) => _sql.SetIfAbsent,
        (StateWriteKind.Set, _) => _sql.SetIfVersion,
        (StateWriteKind.Delete, null) => _sql.DeleteAny,
        (StateWriteKind.Delete, 0) => null,
        (StateWriteKind.Delete, _) => _sql.DeleteIfVersion,
        (StateWriteKind.Check, _) => null,
        _ => throw new UnreachableException("Write kinds are checked before the batch is applied."),
    };

    /// <summary>
    /// The live version to report for a conditional write that changed no row: the version its statement saw, when
    /// that fails the condition; otherwise the row changed while the statement waited for it, and a new statement
    /// reads what made it fail.
    /// </summary>
    private async Task<long> FailedVersionAsync(NpgsqlConnection? connection, StateWrite write, long? seen, CancellationToken cancellationToken) =>
        seen is { } version && !write.IsSatisfiedBy(version)
            ? version
            : await LiveVersionAsync(connection, write, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Reads a statement's one row, if any: the version written (or checked, or the fence's token) and, for a
    /// conditional write, the live version its snapshot saw.
    /// </summary>
    private static async Task<Outcome> ReadOutcomeAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return default;
        }

        return new Outcome(
            reader.IsDBNull(0) ? null : reader.GetInt64(0),
            reader.FieldCount > 1 && !reader.IsDBNull(1) ? reader.GetInt64(1) : null);
    }

    /// <summary>The live version of a record (0 when absent or deleted), on <paramref name="connection"/> or a pooled one.</summary>
    private async Task<long> LiveVersionAsync(NpgsqlConnection? connection, StateWrite write, CancellationToken cancellationToken)
    {
        await using var command = connection is null ? _dataSource.CreateCommand(_sql.LiveVersion) : new NpgsqlCommand(_sql.LiveVersion, connection);
        AddRecord(command.Parameters, write.Owner, write.Key);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : 0;
    }

    private async Task<List<StoredRecord>> ReadPageAsync(StateOwner owner, string lower, string? upper, bool first, CancellationToken cancellationToken)
    {
        var sql = (first, upper is null) switch
        {
            (true, false) => _sql.ListFirstBounded,
            (false, false) => _sql.ListNextBounded,
            (true, true) => _sql.ListFirstUnbounded,
            (false, true) => _sql.ListNextUnbounded,
        };
        await using var command = _dataSource.CreateCommand(sql);
        AddPositionalOwner(command.Parameters, owner);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lower });
        if (upper is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = upper });
        }

        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _pageSize });
        var page = new List<StoredRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add(new StoredRecord(reader.GetString(0), ReadValue(reader, 1), reader.GetInt64(3)));
        }

        return page;
    }

    private async Task<List<(string Guild, string Agent)>> ReadOwnersPageAsync(Scope scope, (string Guild, string Agent)? after, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(after is null ? _sql.ListOwnersFirst : _sql.ListOwnersNext);
        command.Parameters.Add(new NpgsqlParameter<short>("scope", (short)scope));
        if (after is { } cursor)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("guild", cursor.Guild));
            command.Parameters.Add(new NpgsqlParameter<string>("agent", cursor.Agent));
        }

        command.Parameters.Add(new NpgsqlParameter<int>("limit", _pageSize));
        var page = new List<(string Guild, string Agent)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add((reader.GetString(0), reader.GetString(1)));
        }

        return page;
    }

    /// <summary>Runs a lock batch (the owner's advisory lock, then a statement returning token and expiry) and reads its row, if any.</summary>
    private static async Task<LockGrant?> ReadGrantAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new LockGrant(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    private NpgsqlBatchCommand OwnerLock(string sql, StateOwner owner)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("lock", OwnerLockName(owner)));
        return command;
    }

    /// <summary>The text hashed into the owner's advisory lock key: schema, scope, guild and agent (ids cannot hold U+001F).</summary>
    private string OwnerLockName(StateOwner owner) =>
        string.Join('\u001F', _sql.Schema, ((int)owner.Scope).ToString(System.Globalization.CultureInfo.InvariantCulture), owner.GuildIdOrEmpty, owner.AgentIdOrEmpty);

    /// <summary>The order rows are locked in: the primary key's order, the same for every client.</summary>
    private static int CompareRecords(StateWrite a, StateWrite b)
    {
        var order = a.Owner.Scope.CompareTo(b.Owner.Scope);
        if (order == 0)
        {
            order = StateKeyOrder.Comparer.Compare(a.Owner.GuildIdOrEmpty, b.Owner.GuildIdOrEmpty);
        }

        if (order == 0)
        {
            order = StateKeyOrder.Comparer.Compare(a.Owner.AgentIdOrEmpty, b.Owner.AgentIdOrEmpty);
        }

        return order != 0 ? order : StateKeyOrder.Comparer.Compare(a.Key, b.Key);
    }

    private static void AddOwner(NpgsqlParameterCollection parameters, StateOwner owner)
    {
        parameters.Add(new NpgsqlParameter<short>("scope", (short)owner.Scope));
        parameters.Add(new NpgsqlParameter<string>("guild", owner.GuildIdOrEmpty));
        parameters.Add(new NpgsqlParameter<string>("agent", owner.AgentIdOrEmpty));
    }

    /// <summary>The owner's parameters of a positional statement (<see cref="PostgresSql.RecordParameters"/>, <see cref="PostgresSql.ListParameters"/>).</summary>
    private static void AddPositionalOwner(NpgsqlParameterCollection parameters, StateOwner owner)
    {
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)owner.Scope });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = owner.GuildIdOrEmpty });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = owner.AgentIdOrEmpty });
    }

    /// <summary>The parameters of a record statement without a value, in <see cref="PostgresSql.RecordParameters"/> order.</summary>
    private static void AddRecord(NpgsqlParameterCollection parameters, StateOwner owner, string key)
    {
        AddPositionalOwner(parameters, owner);
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
    }

    private static void AddLock(NpgsqlParameterCollection parameters, StateOwner owner, string? key)
    {
        AddOwner(parameters, owner);
        parameters.Add(new NpgsqlParameter<string>("resource", key ?? string.Empty));
    }

    /// <summary>
    /// The value of a stored record: the jsonb column at <paramref name="ordinal"/> (its text, as Npgsql reads jsonb
    /// into bytes), or the exact bytes of the fallback column after it.
    /// </summary>
    private static byte[] ReadValue(NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<byte[]>(reader.IsDBNull(ordinal) ? ordinal + 1 : ordinal);

    /// <summary>The parameters of a write statement, in <see cref="PostgresSql.RecordParameters"/> order.</summary>
    private void AddWrite(NpgsqlParameterCollection parameters, StateWrite write)
    {
        AddRecord(parameters, write.Owner, write.Key);
        if (write.Kind == StateWriteKind.Set)
        {
            // Exactly one of the two columns gets the value; the parameters keep their types either way, so the
            // statement's prepared form is shared by both cases.
            var asJsonb = _jsonbWrites && JsonbDocuments.CanStore(write.Value.Span);
            parameters.Add(asJsonb
                ? new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = write.Value, NpgsqlDbType = NpgsqlDbType.Jsonb }
                : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = DBNull.Value });
            parameters.Add(asJsonb
                ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value }
                : new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = write.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        }

        if (write.ExpectedVersion is > 0 and var expected)
        {
            parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
        }
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var initialization = Volatile.Read(ref _initialization);
        return initialization is { IsCompletedSuccessfully: true } ? ValueTask.CompletedTask : new ValueTask(WaitForInitializationAsync(cancellationToken));
    }

    private async Task WaitForInitializationAsync(CancellationToken cancellationToken)
    {
        Task initialization;
        lock (_initializeGate)
        {
            // A failed attempt (server down, storage layout too new) is not cached: the next operation tries again.
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = InitializeAsync();
            }

            initialization = _initialization;
        }

        await initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the schema or upgrades its storage layout. Concurrent first use from several processes is serialized
    /// by an advisory lock held for the upgrade's transaction; a layout newer than the driver is refused before
    /// anything changes.
    /// </summary>
    private async Task InitializeAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        var stored = await ReadStoredLayoutVersionAsync(connection, null).ConfigureAwait(false);
        if (stored > PostgresSql.LayoutVersion)
        {
            throw NewerLayout(stored);
        }

        if (stored < PostgresSql.LayoutVersion)
        {
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, PostgresSql.LockLayoutUpgrade, new NpgsqlParameter<string>("schema", _sql.Schema)).ConfigureAwait(false);
            await using (var exists = new NpgsqlCommand(PostgresSql.SchemaExists, connection, transaction))
            {
                exists.Parameters.Add(new NpgsqlParameter<string>("schema", _sql.Schema));
                if (await exists.ExecuteScalarAsync().ConfigureAwait(false) is not true)
                {
                    await ExecuteAsync(connection, transaction, _sql.CreateSchema).ConfigureAwait(false);
                }
            }

            await ExecuteAsync(connection, transaction, _sql.CreateLayoutVersionTable).ConfigureAwait(false);
            stored = await ReadStoredLayoutVersionAsync(connection, transaction).ConfigureAwait(false);
            if (stored > PostgresSql.LayoutVersion)
            {
                throw NewerLayout(stored);
            }

            for (var next = stored + 1; next <= PostgresSql.LayoutVersion; next++)
            {
                await ExecuteAsync(connection, transaction, _sql.LayoutUpgrades[next - 1]).ConfigureAwait(false);
                LogLayoutUpgraded(_sql.Schema, next);
            }

            if (stored < PostgresSql.LayoutVersion)
            {
                await ExecuteAsync(connection, transaction, _sql.WriteLayoutVersion, new NpgsqlParameter<int>("version", PostgresSql.LayoutVersion)).ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        // jsonb text is stored in the database encoding: in any other than UTF-8, characters outside it (or escapes
        // of them) are refused, so such a database gets exact bytes only.
        var encoding = connection.PostgresParameters.GetValueOrDefault("server_encoding");
        _jsonbWrites = _sql.Storage == PostgresValueStorage.Jsonb && string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase);
        if (_sql.Storage == PostgresValueStorage.Jsonb && !_jsonbWrites)
        {
            LogNotUtf8(_sql.Schema, encoding);
        }
    }

    /// <summary>The stored storage layout version, or 0 when the layout version table does not exist yet.</summary>
    private async Task<int> ReadStoredLayoutVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using (var exists = new NpgsqlCommand(PostgresSql.LayoutVersionTableExists, connection, transaction))
        {
            exists.Parameters.Add(new NpgsqlParameter<string>("table", _sql.LayoutVersionTable));
            if (await exists.ExecuteScalarAsync().ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        await using var read = new NpgsqlCommand(_sql.ReadLayoutVersion, connection, transaction);
        return await read.ExecuteScalarAsync().ConfigureAwait(false) is int version ? version : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, NpgsqlParameter? parameter = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        if (parameter is not null)
        {
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private StateException NewerLayout(int stored) => new(
        $"The PostgreSQL schema {_sql.QuotedSchema} has TypedState storage layout version {stored}, newer than this driver understands " +
        $"({PostgresSql.LayoutVersion}). Upgrade TypedState.Postgres; the database was left unchanged.");

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Upgraded the storage layout of the PostgreSQL state schema '{Schema}' to version {Version}")]
    private partial void LogLayoutUpgraded(string schema, int version);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "The database of the PostgreSQL state schema '{Schema}' is encoded in {Encoding}, not UTF-8: values are stored as exact bytes (value_bytes), not as jsonb")]
    private partial void LogNotUtf8(string schema, string? encoding);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Removed {Count} PostgreSQL records of {Owner}")]
    private partial void LogRemoved(StateOwner owner, int count);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Retrying a PostgreSQL commit that applied nothing (SQLSTATE {SqlState}, attempt {Attempt})")]
    private partial void LogRetried(string? sqlState, int attempt);

    /// <summary>What one statement of a commit returned: the version it wrote (or checked), and the version it saw.</summary>
    private readonly record struct Outcome(long? Written, long? Seen);
}
