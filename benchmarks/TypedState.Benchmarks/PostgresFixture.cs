using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TypedState.Postgres;

namespace TypedState.Benchmarks;

/// <summary>
/// TypedState's PostgreSQL store (schema <c>typedstate</c>) and hand-written Npgsql code (schema <c>raw</c>, the
/// driver's records table) in one database. Both sides build their data source the way the driver does
/// (<c>NpgsqlSlimDataSourceBuilder</c> on the same connection string) and run the driver's statements
/// (copied from src/Runtime/TypedState.Postgres/PostgresSql.cs, bytea storage) through the async API, blocking on
/// the result. Two raw variants:
/// <list type="bullet">
/// <item><b>prepared</b> (the goal's baseline): one connection held open, one command per statement with its
/// parameters created once and <c>PrepareAsync</c>d;</item>
/// <item><b>unprepared</b> (the driver's pattern): <c>dataSource.CreateCommand(sql)</c> per call, new typed parameters,
/// a pooled connection rented per execution, no preparation.</item>
/// </list>
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    private const string Owner = "scope = @scope AND guild_id = @guild AND agent_id = @agent";
    private const string Record = Owner + " AND key = @key";

    public const string CreateTable =
        """
        CREATE SCHEMA raw;
        CREATE TABLE raw.records (
            scope    smallint    NOT NULL,
            guild_id text COLLATE "C" NOT NULL,
            agent_id text COLLATE "C" NOT NULL,
            key      text COLLATE "C" NOT NULL,
            value    bytea,
            version  bigint      NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id, key)
        )
        """;

    // PostgresSql.ReadTemplate and SetAnyTemplate with {s} = "raw" and bytea value expressions.
    public const string Read = "SELECT value, version FROM \"raw\".records WHERE " + Record + " AND value IS NOT NULL";

    public const string SetAny =
        "INSERT INTO \"raw\".records AS r (scope, guild_id, agent_id, key, value, version) VALUES (@scope, @guild, @agent, @key, @value, 1) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET value = excluded.value, version = r.version + 1 " +
        "RETURNING r.version";

    private readonly Profile _value = Sample.Create();
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _read;
    private readonly NpgsqlCommand _set;
    private readonly NpgsqlCommand _readUnprepared;
    private readonly NpgsqlParameter<ReadOnlyMemory<byte>> _setValue;

    public PostgresFixture(string connectionString)
    {
        Manager = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = connectionString });
        AutoPrepareManager = new PostgresStateManager(new PostgresStateDriverOptions
        {
            ConnectionString = connectionString + ";Max Auto Prepare=20;Auto Prepare Min Usages=2",
            Schema = "typedstate_ap",
        });
        AutoPrepareNoResetManager = new PostgresStateManager(new PostgresStateDriverOptions
        {
            ConnectionString = connectionString + ";Max Auto Prepare=20;Auto Prepare Min Usages=2;No Reset On Close=true",
            Schema = "typedstate_apnr",
        });
        _dataSource = new NpgsqlSlimDataSourceBuilder(connectionString).Build();
        using (var create = _dataSource.CreateCommand(CreateTable))
        {
            create.ExecuteNonQuery();
        }

        _connection = _dataSource.OpenConnection();
        _read = new NpgsqlCommand(Read, _connection);
        AddRecord(_read.Parameters);
        _readUnprepared = new NpgsqlCommand(Read, _connection);
        AddRecord(_readUnprepared.Parameters);
        _set = new NpgsqlCommand(SetAny, _connection);
        AddRecord(_set.Parameters);
        _setValue = new NpgsqlParameter<ReadOnlyMemory<byte>>("value", ReadOnlyMemory<byte>.Empty) { NpgsqlDbType = NpgsqlDbType.Bytea };
        _set.Parameters.Add(_setValue);
        _read.PrepareAsync().GetAwaiter().GetResult();
        _set.PrepareAsync().GetAwaiter().GetResult();

        // Versions 1, 2 on the prepared side, 3, 4 on the unprepared one (same table); 1, 2 for TypedState.
        if (RawSet() != 1 || TypedStateSet() != 1 || RawSet() != 2 || TypedStateSet() != 2 || RawUnpreparedSet() != 3)
        {
            throw new InvalidOperationException("The raw and TypedState PostgreSQL sets disagree on versions.");
        }

        var expected = JsonSerializer.Serialize(_value, Sample.TypeInfo);
        if (JsonSerializer.Serialize(RawGet()!, Sample.TypeInfo) != expected || JsonSerializer.Serialize(TypedStateGet()!, Sample.TypeInfo) != expected
            || JsonSerializer.Serialize(RawUnpreparedGet()!, Sample.TypeInfo) != expected
            || AutoPrepareSet() != 1 || AutoPrepareNoResetSet() != 1 || JsonSerializer.Serialize(AutoPrepareNoResetGet()!, Sample.TypeInfo) != expected
            || JsonSerializer.Serialize(RawHeldUnpreparedGet()!, Sample.TypeInfo) != expected || JsonSerializer.Serialize(AutoPrepareGet()!, Sample.TypeInfo) != expected)
        {
            throw new InvalidOperationException("The raw and TypedState PostgreSQL reads disagree.");
        }
    }

    public PostgresStateManager Manager { get; }

    /// <summary>The same driver, with Npgsql's automatic preparation turned on through the connection string only.</summary>
    public PostgresStateManager AutoPrepareManager { get; }

    /// <summary>The same driver, with automatic preparation and without the connection reset on return to the pool.</summary>
    public PostgresStateManager AutoPrepareNoResetManager { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long AutoPrepareNoResetSet() => AutoPrepareNoResetManager.SetAsync(Sample.Owner, Sample.Key, _value, Sample.TypeInfo).Wait();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? AutoPrepareNoResetGet() => AutoPrepareNoResetManager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    /// <summary>Breakdown: raw get on the held connection with a command built once but never prepared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawHeldUnpreparedGet() => RawGetAsync(_readUnprepared).GetAwaiter().GetResult();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long AutoPrepareSet() => AutoPrepareManager.SetAsync(Sample.Owner, Sample.Key, _value, Sample.TypeInfo).Wait();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? AutoPrepareGet() => AutoPrepareManager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long RawSet()
    {
        _setValue.TypedValue = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return RawSetAsync().GetAwaiter().GetResult();
    }

    private async Task<long> RawSetAsync()
    {
        await using var reader = await _set.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawGet() => RawGetAsync(_read).GetAwaiter().GetResult();

    private static async Task<Profile?> RawGetAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(0), Sample.TypeInfo) : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long RawUnpreparedSet()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return RawUnpreparedSetAsync(bytes).GetAwaiter().GetResult();
    }

    private async Task<long> RawUnpreparedSetAsync(byte[] bytes)
    {
        await using var command = _dataSource.CreateCommand(SetAny);
        AddRecord(command.Parameters);
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("value", bytes) { NpgsqlDbType = NpgsqlDbType.Bytea });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawUnpreparedGet() => RawUnpreparedGetAsync().GetAwaiter().GetResult();

    private async Task<Profile?> RawUnpreparedGetAsync()
    {
        await using var command = _dataSource.CreateCommand(Read);
        AddRecord(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(0), Sample.TypeInfo) : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TypedStateSet() => Manager.SetAsync(Sample.Owner, Sample.Key, _value, Sample.TypeInfo).Wait();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? TypedStateGet() => Manager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    private static void AddRecord(NpgsqlParameterCollection parameters)
    {
        parameters.Add(new NpgsqlParameter<short>("scope", (short)Scope.Agent));
        parameters.Add(new NpgsqlParameter<string>("guild", Sample.GuildId));
        parameters.Add(new NpgsqlParameter<string>("agent", Sample.AgentId));
        parameters.Add(new NpgsqlParameter<string>("key", Sample.Key));
    }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        await AutoPrepareManager.DisposeAsync();
        await AutoPrepareNoResetManager.DisposeAsync();
        await _readUnprepared.DisposeAsync();
        await _read.DisposeAsync();
        await _set.DisposeAsync();
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
