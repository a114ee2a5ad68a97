using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
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
    // One file per concern: reads, listings and owner removal here; the commit protocol in .Commit.cs, locks in
    // .Locks.cs, the data source and first use (storage layout) in .Setup.cs; PostgresParameters binds parameters.

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
            _dataSource = BuildDataSource(options.ConnectionString!, loggerFactory);
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
        PostgresParameters.AddRecord(command.Parameters, owner, key);
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
        PostgresParameters.AddPositionalOwner(command.Parameters, owner);
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

    /// <summary>
    /// The value of a stored record: the jsonb column at <paramref name="ordinal"/> (its text, as Npgsql reads jsonb
    /// into bytes), or the exact bytes of the fallback column after it.
    /// </summary>
    private static byte[] ReadValue(NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<byte[]>(reader.IsDBNull(ordinal) ? ordinal + 1 : ordinal);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Removed {Count} PostgreSQL records of {Owner}")]
    private partial void LogRemoved(StateOwner owner, int count);
}
