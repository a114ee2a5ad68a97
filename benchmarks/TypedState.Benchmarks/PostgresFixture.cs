using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Benchmarks;

/// <summary>
/// TypedState's PostgreSQL store (schema <c>typedstate</c>) and hand-written Npgsql code (schema <c>raw</c>) in one
/// database, with the driver's defaults: jsonb value storage, the current records table (created in both schemas
/// by the driver's own layout upgrades) and the driver's own statements (<c>PostgresSql</c> built for <c>raw</c>). Both
/// sides build their data source as the driver does (<c>NpgsqlDataSourceBuilder</c> on the same connection string,
/// plus the driver's <c>Max Auto Prepare=64;No Reset On Close=true</c>), send the value as a jsonb parameter (and a
/// NULL <c>value_bytes</c>) and read both value columns, through the async API, blocking on the result. The raw
/// side skips what TypedState adds: the manager, the jsonb check, the driver's bookkeeping. Two raw variants:
/// <list type="bullet">
/// <item><b>prepared</b> (the goal's baseline): one connection held open, one command per statement with its
/// parameters created once and <c>PrepareAsync</c>d; each set is one autocommitted statement, as the driver's;</item>
/// <item><b>unprepared</b>: <c>dataSource.CreateCommand(sql)</c> per call, new typed parameters, a pooled connection
/// rented per execution (auto-prepared by Npgsql after a few uses).</item>
/// </list>
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly Profile _value = Sample.Create();
    private readonly PostgresSql _sql = new("raw", PostgresValueStorage.Jsonb);
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _read;
    private readonly NpgsqlCommand _set;
    private readonly NpgsqlParameter<ReadOnlyMemory<byte>> _setValue;
    private bool _timelineStarted;

    public PostgresFixture(string connectionString)
    {
        Manager = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = connectionString });
        // Creates schema "raw" with the driver's migrations, and leaves it empty.
        var raw = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = connectionString, Schema = "raw" });
        raw.DeleteAsync(Sample.Owner, Sample.Key).AsTask().GetAwaiter().GetResult();
        raw.DisposeAsync().AsTask().GetAwaiter().GetResult();

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        _dataSource = builder.Build();
        _connection = _dataSource.OpenConnection();
        _read = new NpgsqlCommand(_sql.Read, _connection);
        AddRecord(_read.Parameters);
        _set = new NpgsqlCommand(_sql.SetAny, _connection);
        AddRecord(_set.Parameters);
        _setValue = new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = ReadOnlyMemory<byte>.Empty, NpgsqlDbType = NpgsqlDbType.Jsonb };
        _set.Parameters.Add(_setValue);
        _set.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value });
        _read.PrepareAsync().GetAwaiter().GetResult();
        _set.PrepareAsync().GetAwaiter().GetResult();

        // Versions 1, 2 on the prepared side, 3 on the unprepared one (same table); 1, 2 for TypedState, 3 for its driver alone.
        if (RawSet() != 1 || TypedStateSet() != 1 || RawSet() != 2 || TypedStateSet() != 2 || RawUnpreparedSet() != 3 || DriverSet() != 3)
        {
            throw new InvalidOperationException("The raw and TypedState PostgreSQL sets disagree on versions.");
        }

        var expected = JsonSerializer.Serialize(_value, Sample.TypeInfo);
        if (JsonSerializer.Serialize(RawGet()!, Sample.TypeInfo) != expected || JsonSerializer.Serialize(TypedStateGet()!, Sample.TypeInfo) != expected
            || JsonSerializer.Serialize(RawUnpreparedGet()!, Sample.TypeInfo) != expected || JsonSerializer.Serialize(DriverGet()!, Sample.TypeInfo) != expected)
        {
            throw new InvalidOperationException("The raw and TypedState PostgreSQL reads disagree.");
        }

        // Both sides store the value as jsonb.
        using var check = _dataSource.CreateCommand("SELECT count(*) FROM raw.records r JOIN typedstate.records t USING (scope, guild_id, agent_id, key) WHERE r.value = t.value AND r.value_bytes IS NULL AND t.value_bytes IS NULL");
        if ((long)check.ExecuteScalar()! != 1)
        {
            throw new InvalidOperationException("The raw and TypedState PostgreSQL sides do not store the same jsonb value.");
        }
    }

    public PostgresStateManager Manager { get; }

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
        return await reader.ReadAsync() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(reader.IsDBNull(0) ? 1 : 0), Sample.TypeInfo) : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long RawUnpreparedSet()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return RawUnpreparedSetAsync(bytes).GetAwaiter().GetResult();
    }

    private async Task<long> RawUnpreparedSetAsync(byte[] bytes)
    {
        await using var command = _dataSource.CreateCommand(_sql.SetAny);
        AddRecord(command.Parameters);
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = bytes, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawUnpreparedGet() => RawUnpreparedGetAsync().GetAwaiter().GetResult();

    private async Task<Profile?> RawUnpreparedGetAsync()
    {
        await using var command = _dataSource.CreateCommand(_sql.Read);
        AddRecord(command.Parameters);
        return await RawGetAsync(command);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TypedStateSet() => Manager.SetAsync(Sample.Owner, Sample.Key, _value, Sample.TypeInfo).Wait();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? TypedStateGet() => Manager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    /// <summary>Breakdown: the driver's CommitAsync alone (serialization as on the raw side, no manager).</summary>
    public long DriverSet()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return Manager.Driver.CommitAsync([new StateWrite(Sample.Owner, Sample.Key, StateWriteKind.Set, bytes, null)], s_noFences, CommitId.None, CancellationToken.None).Wait().Versions[0];
    }

    /// <summary>
    /// TypedState's set of the same record in another guild of the same schema, whose timeline is off (never started)
    /// or on (started on first use): what logging the commit costs, same driver, same database.
    /// </summary>
    public long GuildSet(bool timeline) =>
        Manager.SetAsync(StateOwner.Agent(TimelineGuild(timeline), Sample.AgentId), Sample.Key, _value, Sample.TypeInfo).Wait();

    /// <summary>As <see cref="GuildSet"/>, for a transaction setting two records of the guild (its agent's and its own).</summary>
    public long GuildTransaction(bool timeline) => GuildTransactionAsync(TimelineGuild(timeline)).AsTask().GetAwaiter().GetResult();

    private async ValueTask<long> GuildTransactionAsync(string guildId)
    {
        await using var transaction = await Manager.BeginTransactionAsync();
        await transaction.SetAsync(StateOwner.Agent(guildId, Sample.AgentId), Sample.Key, _value, Sample.TypeInfo);
        await transaction.SetAsync(StateOwner.Guild(guildId), Sample.Key, _value, Sample.TypeInfo);
        await transaction.CommitAsync();
        return 1;
    }

    /// <summary>The guild of the timeline rows: log off, or log on (its timeline started on first use).</summary>
    private string TimelineGuild(bool timeline)
    {
        var guildId = timeline ? "bench-timeline-on" : "bench-timeline-off";
        if (timeline && !_timelineStarted)
        {
            Manager.Timelines.StartAsync(guildId).AsTask().GetAwaiter().GetResult();
            _timelineStarted = true;
        }

        return guildId;
    }

    /// <summary>Breakdown: the driver's ReadAsync alone, then the same deserialization.</summary>
    public Profile? DriverGet()
    {
        var record = Manager.Driver.ReadAsync(Sample.Owner, Sample.Key, CancellationToken.None).Wait();
        return record is { } found ? JsonSerializer.Deserialize(found.Value.Span, Sample.TypeInfo) : null;
    }

    private static readonly StateFence[] s_noFences = [];

    /// <summary>The driver's record statements are positional ($1 scope, $2 guild, $3 agent, $4 key, then the value columns).</summary>
    private static void AddRecord(NpgsqlParameterCollection parameters)
    {
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)Scope.Agent });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = Sample.GuildId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = Sample.AgentId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = Sample.Key });
    }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        await _read.DisposeAsync();
        await _set.DisposeAsync();
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
