using System.Text.Json;
using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Postgres;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// Hand-written Npgsql that sends exactly the PostgreSQL driver's statements for each operation (its
/// <see cref="PostgresSql"/> texts, short-key forms included), in the driver's batches and round trips, with its
/// parameters and their types, on the driver's own storage layout in schema <c>rawdriver</c> (created and seeded through
/// the library, outside the timing): what the store costs with the library's client work taken away. Against TypedState
/// it measures the library's own cost; against the floor (the plain-keyed tables with the same guarantees) what the
/// storage layout's statements cost.
/// </summary>
/// <remarks>
/// <para>As the driver (PostgresStateDriver.Setup.cs, PostgresConnectionObjects): a data source with
/// <c>Max Auto Prepare=64</c> and <c>No Reset On Close</c>, and a physical connection taken from its pool for each
/// round trip's operation and given back after it (one connection object, opened and closed: the driver reuses its
/// objects too). Statements are prepared by Npgsql's auto-prepare, as the driver's are, and their commands made once
/// per physical connection (PostgresCommandPool) and rebound per operation. Its async methods return pooled value
/// tasks (<see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>), as the driver's do, and the harness waits on them
/// as it waits on TypedState's (<see cref="ValueTaskResult.Wait{T}"/>).</para>
/// <para>Per operation (the common path, the one every parity operation takes): a get is one statement,
/// <see cref="PostgresSql.ReadOwn"/> (the own row and the fork marker; PostgresStateDriver.ReadAsync). A set,
/// compare-and-set or delete is one round trip of three (PostgresStateDriver.Commit.cs, <c>CommitOneAsync</c>): the
/// guild's shared advisory lock (<see cref="PostgresSql.LockWritingGuild"/>), the refusal of a guild keeping a
/// timeline (<see cref="PostgresSql.RefuseLoggedGuild"/>), and the write that remembers the commit id the manager
/// gives every commit (<see cref="PostgresSql.RememberingSetAny"/>, <see cref="PostgresSql.RememberingSetIfVersion"/>,
/// <see cref="PostgresSql.RememberingDeleteAny"/>) with the default retention; the prune of expired ids, which the
/// driver adds to at most one commit a second, is left out. The transaction of 10 (PostgresStateDriver.Batch.cs) is
/// two round trips: <c>BEGIN</c>, the claim (<see cref="PostgresSql.ClaimCommit"/>), the guild's lock and refusal, the
/// ten <see cref="PostgresSql.SetIfVersion"/> in key order; then <see cref="PostgresSql.RememberCommit"/> and
/// <c>COMMIT</c>. The lock round trip (PostgresStateDriver.Locks.cs) is the owner's exclusive advisory lock
/// (<see cref="PostgresSql.LockOwnerForGrant"/>) with <see cref="PostgresSql.GrantKeyLock"/> (the manager's default
/// holder, machine:process), then <see cref="PostgresSql.ReleaseLock"/> on a connection of its own. The listing
/// (PostgresStateDriver.Listing.cs, .RecordPages.cs) reads pages of 256, <see cref="PostgresSql.ListFirstUnbounded"/>
/// (with the fork marker's branch) then <see cref="PostgresSql.ListNextUnbounded"/>, each page read whole on its
/// own pooled connection before its values are deserialized. Commit ids are version 7 GUIDs, as
/// <see cref="Storage.CommitId.New"/> makes them.</para>
/// <para>Not sent, being the library's client work: the check that a value can be stored as jsonb
/// (<see cref="JsonbDocuments"/>; the parity value can), the key-order checks of a listing page. The side assumes a
/// UTF-8 database, whose path it mirrors (jsonb values, short-key forms), and refuses another.</para>
/// </remarks>
public sealed partial class RawPostgresDriverStatementsSide : ParitySide
{
    /// <summary>The side's schema, the driver's layout.</summary>
    public const string Schema = "rawdriver";

    private static readonly TimeSpan s_retention = new PostgresStateDriverOptions().CommitIdRetention;

    private readonly string _connectionString;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;
    private readonly PostgresSql _sql = new(Schema, PostgresValueStorage.Jsonb);
    private readonly List<(string Key, long Version, byte[] Value)> _page = new(PageSize);
    private DriverStatements? _statements;

    /// <summary>The server parameters of the physical connection <see cref="_statements"/> were made for (one dictionary per physical connection).</summary>
    private object? _statementsFor;

    /// <summary>The driver's default listing page (<see cref="PostgresStateDriverOptions.ListPageSize"/>).</summary>
    private const int PageSize = 256;

    public RawPostgresDriverStatementsSide(string connectionString)
    {
        _connectionString = connectionString;
        _dataSource = RawPostgresSide.DriverLikeDataSource(connectionString);
        _connection = _dataSource.CreateConnection();
    }

    /// <summary>Creates the driver's schema and writes the data set through the library, as TypedState's is written.</summary>
    public async Task SeedAsync()
    {
        await using (var manager = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = _connectionString, Schema = Schema }))
        {
            await new TypedStateSide(manager).SeedAsync();
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        var encoding = connection.PostgresParameters.GetValueOrDefault("server_encoding");
        if (!string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The driver's statements side mirrors a UTF-8 database; this one is {encoding}.");
        }
    }

    /// <summary>Opens the side's connection (a physical one from the pool) and its statements for that physical connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<DriverStatements> OpenAsync()
    {
        await _connection.OpenAsync();
        var physical = _connection.PostgresParameters;
        if (!ReferenceEquals(physical, _statementsFor))
        {
            _statements = new DriverStatements(_sql, _connection);
            _statementsFor = physical;
        }

        return _statements!;
    }

    protected override long ReadVersion(int keyIndex) =>
        ReadOwnAsync(ParityData.WriteOwner, ParityData.Key(keyIndex)).Wait().Version;

    protected override long ReadOne(string key)
    {
        var (value, _) = ReadOwnAsync(ParityData.GetOwner, key).Wait();
        return JsonSerializer.Deserialize(value, ParityData.TypeInfo)!.Count;
    }

    /// <summary>The driver's read: <see cref="PostgresSql.ReadOwn"/>, every row read (the own row, or the fork marker).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(byte[] Value, long Version)> ReadOwnAsync(int owner, string key)
    {
        var statements = await OpenAsync();
        try
        {
            var command = statements.Read;
            DriverStatements.BindRecord(command.Parameters, owner, key);
            (byte[] Value, long Version)? own = null;
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    if (reader.IsDBNull(2))
                    {
                        throw new InvalidOperationException("The owner's guild is a fork; the parity data has none.");
                    }

                    own = reader.IsDBNull(0) && reader.IsDBNull(1) ? null : (reader.GetFieldValue<byte[]>(reader.IsDBNull(0) ? 1 : 0), reader.GetInt64(2));
                }
            }

            return own ?? throw new InvalidOperationException("absent");
        }
        finally
        {
            await _connection.CloseAsync();
        }
    }

    protected override long List() => ListAsync().Wait();

    /// <summary>The driver's listing pages: each read whole on a pooled connection, then its values deserialized.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> ListAsync()
    {
        var (count, sum) = (0, 0L);
        var after = string.Empty;
        for (var first = true; ; first = false)
        {
            var statements = await OpenAsync();
            _page.Clear();
            try
            {
                var command = first ? statements.ListFirst : statements.ListNext;
                DriverStatements.BindPage(command.Parameters, ParityData.ListOwner, after, PageSize);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    if (reader.IsDBNull(0))
                    {
                        throw new InvalidOperationException("The owner's guild is a fork; the parity data has none.");
                    }

                    _page.Add((reader.GetString(0), reader.GetInt64(3), reader.GetFieldValue<byte[]>(reader.IsDBNull(1) ? 2 : 1)));
                }
            }
            finally
            {
                await _connection.CloseAsync();
            }

            DeserializePage(_page, ref count, ref sum);
            if (_page.Count < PageSize)
            {
                return CheckListed(count, sum);
            }

            after = _page[^1].Key;
        }
    }

    protected override long LockRoundTrip() => LockAsync().Wait();

    /// <summary>The driver's grant (owner's advisory lock and grant, one round trip), then its release on a connection of its own.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> LockAsync()
    {
        long token;
        DateTimeOffset leaseEnds;
        var statements = await OpenAsync();
        try
        {
            var batch = statements.Grant;
            DriverStatements.BindOwner(batch.BatchCommands[0].Parameters, ParityData.WriteOwner);
            DriverStatements.BindGrant(batch.BatchCommands[1].Parameters, ParityData.WriteOwner, ParityData.LockKey, ParityData.LockLease, ParityData.LockHolder);
            await using var reader = await batch.ExecuteReaderAsync();
            await reader.NextResultAsync();
            if (!await reader.ReadAsync())
            {
                throw new InvalidOperationException("The lock was taken.");
            }

            // The grant's token and lease end, as the driver reads them.
            token = reader.GetInt64(0);
            leaseEnds = reader.GetFieldValue<DateTimeOffset>(1);
        }
        finally
        {
            await _connection.CloseAsync();
        }

        statements = await OpenAsync();
        try
        {
            var release = statements.Release;
            DriverStatements.BindRelease(release.BatchCommands[0].Parameters, ParityData.WriteOwner, ParityData.LockKey, token);
            await release.ExecuteNonQueryAsync();
            return leaseEnds > DateTimeOffset.UnixEpoch ? 1 : 0;
        }
        finally
        {
            await _connection.CloseAsync();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
