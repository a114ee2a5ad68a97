using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

/// <summary>
/// Stores state in PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>. A single write is one round trip whose
/// write statement's <c>WHERE</c> (or <c>ON CONFLICT … WHERE</c>) carries the version condition; a batch, with its
/// fences, is one database transaction that applies everything or nothing. Commits and owner removals of one guild
/// are serialized by an advisory lock; applied commit ids are remembered for <see cref="PostgresStateDriverOptions.CommitIdRetention"/>.
/// Locks are rows with leases measured by the database clock and per-owner fencing tokens. The schema and its tables
/// are created on first use; their storage layout is versioned and upgraded in place. Guild timelines
/// (<see cref="ITimelineDriver"/>) are logged in the committing transaction, under the guild's timeline row lock;
/// forks read through their source (copy-on-write).
/// </summary>
/// <remarks>
/// Rows of a batch are locked in one global order (scope, guild, agent, key), and guild locks in guild order, so
/// concurrent batches do not deadlock each other; a deadlock with another statement is retried, as nothing was applied.
/// </remarks>
public sealed partial class PostgresStateDriver : IStateDriver, ITimelineDriver, IDisposable
{
    // One file per concern: reads and owner removal here; listings in .Listing.cs; the commit protocol in .Commit.cs
    // (single writes), .Batch.cs (batches), .LoggedCommit.cs (guilds with a timeline) and .CommitIds.cs (commit ids,
    // lost answers); timelines in .Timeline.cs, .Forks.cs and .TimelineErrors.cs; locks in .Locks.cs; the data source
    // and first use (storage layout) in .Setup.cs; PostgresParameters binds parameters.

    /// <summary>How often a batch that applied nothing is run again after a deadlock or a concurrent change.</summary>
    private const int MaxAttempts = 5;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresSql _sql;
    private readonly int _pageSize;
    private readonly TimeSpan _commitIdRetention;
    private readonly ILogger _logger;
    private readonly Lock _initializeGate = new();
    private Task? _initialization;
    private PostgresReadCommands? _reads;

    /// <summary>The reads of keys shorter than the index's key head (<see cref="PostgresSql.ForKey"/>).</summary>
    private PostgresReadCommands? _shortKeyReads;

    /// <summary>Reusable batches and commands of the writes and locks.</summary>
    private readonly PostgresCommandPool _commands;
    /// <summary>Reusable connection objects of the commits, reads and lock calls.</summary>
    private readonly PostgresConnectionObjects _connections;

    /// <summary>
    /// Whether writes use the jsonb column when they can: <see cref="PostgresValueStorage.Jsonb"/> on a UTF-8
    /// database. Set by the initialization, which every operation awaits first.
    /// </summary>
    private bool _jsonbWrites;

    /// <summary>
    /// Whether short keys use the record statements without the key digest (<see cref="PostgresSql.ForKey"/>): in any
    /// server encoding but SQL_ASCII, where the index's key head counts bytes. Set by the initialization.
    /// </summary>
    private bool _shortKeyForms;
    private volatile bool _disposed;

    /// <summary>Creates the driver; the schema and its tables are created on first use.</summary>
    public PostgresStateDriver(PostgresStateDriverOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _sql = new PostgresSql(options.Schema, options.ValueStorage);
        _pageSize = options.ListPageSize;
        _commitIdRetention = options.CommitIdRetention;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgresStateDriver>();
        if (options.DataSource is { } dataSource)
        {
            _dataSource = dataSource;
        }
        else
        {
            _dataSource = BuildDataSource(options.ConnectionString!, options.EnableNpgsqlLogging ? loggerFactory : null);
            _ownsDataSource = true;
        }

        _connections = new PostgresConnectionObjects(_dataSource, maxIdle: 64);
        _commands = new PostgresCommandPool(perConnection: !new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString).Multiplexing);
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

    /// <summary>
    /// Creates the schema and its tables, or upgrades their storage layout, now rather than on the first operation,
    /// so another process or connection finds them at once.
    /// </summary>
    public ValueTask EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return EnsureInitializedAsync(cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One statement reads the record's own row and whether the owner's guild is a fork (<see cref="PostgresSql.ReadOwn"/>);
    /// only a fork with no row of its own for the key reads it through its source, in a second statement.
    /// </remarks>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    public async ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var opened = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var connection = opened.Connection;
        var reads = ForKey(_sql.ReadOwn, key) is var sql && ReferenceEquals(sql, _sql.ReadOwn)
            ? _reads ??= new PostgresReadCommands(sql)
            : _shortKeyReads ??= new PostgresReadCommands(sql);
        var command = reads.Rent(connection, owner, key);
        StoredRecord? record = null;
        var own = false;
        var fork = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.IsDBNull(2))
                {
                    // The fork marker (no record has a NULL version).
                    fork = true;
                }
                else
                {
                    // The own row: a tombstone hides the record, and what a fork would inherit for it.
                    own = true;
                    record = reader.IsDBNull(0) && reader.IsDBNull(1) ? null : new StoredRecord(key, ReadValue(reader, 0), reader.GetInt64(2));
                }
            }
        }

        reads.Return(command);
        return own || !fork ? record : await ReadThroughForkAsync(connection, owner, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A record of a fork that has no row of its own for it: the live record, or what the fork reads through its source.</summary>
    private async Task<StoredRecord?> ReadThroughForkAsync(NpgsqlConnection connection, StateOwner owner, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ForKey(_sql.Read, key), connection);
        PostgresParameters.AddRecord(command.Parameters, owner, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRecord(key, ReadValue(reader, 0), reader.GetInt64(2))
            : null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One implicit transaction: the guild's advisory lock, exclusive, which waits for the commits under way in the
    /// guild and holds off new ones, then, in a statement of its own (so its snapshot holds every commit that came
    /// first), the deletion and the raise of the guild's version floor.
    /// </remarks>
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
                await using var batch = _dataSource.CreateBatch();
                batch.BatchCommands.Add(GuildLock(PostgresSql.LockGuildExclusive, owner.GuildIdOrEmpty));

                // The timeline first, before the records go: it refuses a guild with live forks, and needs the
                // versions a fork's owner read through its source.
                var timeline = new NpgsqlBatchCommand(_sql.TimelineRemoving);
                PostgresParameters.AddOwner(timeline.Parameters, owner);
                batch.BatchCommands.Add(timeline);
                var remove = new NpgsqlBatchCommand(sql);
                remove.Parameters.Add(new NpgsqlParameter<string>("guild", owner.GuildIdOrEmpty));
                if (owner.Scope == Scope.Agent)
                {
                    remove.Parameters.Add(new NpgsqlParameter<string>("agent", owner.AgentIdOrEmpty));
                }

                batch.BatchCommands.Add(remove);
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                var removed = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : 0;
                if (owner.Scope == Scope.Guild)
                {
                    _loggedGuilds.TryRemove(owner.GuildIdOrEmpty, out _);
                }

                LogRemoved(owner, removed);
                return;
            }
            catch (PostgresException ex) when (IsTimelineRefusal(ex))
            {
                throw TimelineRefusal(ex, owner.GuildIdOrEmpty, long.TryParse(ex.Hint, System.Globalization.CultureInfo.InvariantCulture, out var head) ? head : null);
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

    /// <summary>Disposes the data source when the driver built it, synchronously (Npgsql closes idle connections without waiting).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    /// <summary>The form of a record or lock statement for <paramref name="key"/> (<see cref="PostgresSql.ForKey"/>).</summary>
    private string ForKey(string sql, string key) => _shortKeyForms ? _sql.ForKey(sql, key) : sql;

    /// <summary>
    /// The value of a stored record: the jsonb column at <paramref name="ordinal"/> (its text, as Npgsql reads jsonb
    /// into bytes), or the exact bytes of the fallback column after it.
    /// </summary>
    private static byte[] ReadValue(NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<byte[]>(reader.IsDBNull(ordinal) ? ordinal + 1 : ordinal);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Removed {Count} PostgreSQL records of {Owner}")]
    private partial void LogRemoved(StateOwner owner, long count);
}
