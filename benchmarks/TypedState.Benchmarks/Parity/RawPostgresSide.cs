using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// Hand-written Npgsql in schema <c>raw</c>: one open connection (the data source built with the driver's
/// <c>Max Auto Prepare=64;No Reset On Close=true</c>), prepared commands whose parameters are created once, values as
/// jsonb, a records table keyed by owner and key with a version column, and a lock table. The 10-write transaction is
/// one prepared batch of conditional updates inside <c>BEGIN</c>/<c>COMMIT</c> (two round trips).
/// </summary>
public class RawPostgresSide : ParitySide
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly NpgsqlCommand _get;
    private readonly NpgsqlCommand _set;
    private readonly NpgsqlCommand _cas;
    private readonly NpgsqlCommand _delete;
    private readonly NpgsqlCommand _list;
    private readonly NpgsqlCommand _lock;
    private readonly NpgsqlCommand _unlock;
    private readonly NpgsqlBatch _transaction;

    /// <summary>The raw client in schema <paramref name="schema"/> (each side its own copy of the data).</summary>
    public RawPostgresSide(string connectionString, string schema = "raw")
    {
        _schema = schema;
        _dataSource = DriverLikeDataSource(connectionString);
        Connection = _dataSource.OpenConnection();
        Execute("""
            CREATE SCHEMA IF NOT EXISTS raw;
            CREATE TABLE IF NOT EXISTS raw.records (owner text NOT NULL, key text NOT NULL, version bigint NOT NULL, value jsonb, PRIMARY KEY (owner, key));
            CREATE TABLE IF NOT EXISTS raw.locks (owner text NOT NULL, key text NOT NULL, token bigint NOT NULL, expires timestamptz NOT NULL, PRIMARY KEY (owner, key));
            """);
        _get = Prepare("SELECT version, value FROM raw.records WHERE owner = $1 AND key = $2", Text, Text);
        _set = Prepare("INSERT INTO raw.records (owner, key, version, value) VALUES ($1, $2, 1, $3) ON CONFLICT (owner, key) DO UPDATE SET version = raw.records.version + 1, value = excluded.value RETURNING version", Text, Text, Json);
        _cas = Prepare("UPDATE raw.records SET version = version + 1, value = $3 WHERE owner = $1 AND key = $2 AND version = $4 RETURNING version", Text, Text, Json, Bigint);
        _delete = Prepare("DELETE FROM raw.records WHERE owner = $1 AND key = $2", Text, Text);
        _list = Prepare("SELECT key, version, value FROM raw.records WHERE owner = $1 ORDER BY key", Text);
        _lock = Prepare("INSERT INTO raw.locks (owner, key, token, expires) VALUES ($1, $2, $3, now() + interval '30 seconds') ON CONFLICT (owner, key) DO UPDATE SET token = excluded.token, expires = excluded.expires WHERE raw.locks.expires < now() RETURNING token", Text, Text, Bigint);
        _unlock = Prepare("DELETE FROM raw.locks WHERE owner = $1 AND key = $2 AND token = $3", Text, Text, Bigint);
        // The 10-write transaction's statements (the driver's own first round trip adds its claim and guild lock).
        _transaction = new NpgsqlBatch(Connection);
        for (var i = 0; i < ParityData.TransactionWrites; i++)
        {
            var command = new NpgsqlBatchCommand(_cas.CommandText);
            AddParameters(command.Parameters, Text, Text, Json, Bigint);
            _transaction.BatchCommands.Add(command);
        }

        _transaction.Prepare();
    }

    /// <summary>A data source tuned as the PostgreSQL driver tunes the one it builds: auto-prepare, no reset on close.</summary>
    public static NpgsqlDataSource DriverLikeDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    protected const NpgsqlDbType Text = NpgsqlDbType.Text;
    protected const NpgsqlDbType Json = NpgsqlDbType.Jsonb;
    protected const NpgsqlDbType Bigint = NpgsqlDbType.Bigint;

    /// <summary>The side's open connection.</summary>
    protected NpgsqlConnection Connection { get; }

    /// <summary>The owner of the records the writes change.</summary>
    protected string WriteOwner { get; } = ParityData.RawOwner(ParityData.WriteOwner);

    /// <summary>Writes the data set, one batch of 500 inserts per owner.</summary>
    public void Seed()
    {
        for (var o = 0; o < ParityData.Owners; o++)
        {
            using var batch = new NpgsqlBatch(Connection);
            for (var i = 0; i < ParityData.RecordsPerOwner; i++)
            {
                var command = new NpgsqlBatchCommand(_set.CommandText);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ParityData.RawOwner(o) });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ParityData.Key(i) });
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = ParityData.Serialize(ParityData.Create(o, i)), NpgsqlDbType = Json });
                batch.BatchCommands.Add(command);
            }

            batch.ExecuteNonQuery();
        }
    }

    protected override long ReadVersion(int keyIndex)
    {
        Bind(_get.Parameters, WriteOwner, ParityData.Key(keyIndex));
        return (long)_get.ExecuteScalar()!;
    }

    protected override long ReadOne(string key) => GetAsync(key).GetAwaiter().GetResult();

    private async Task<long> GetAsync(string key)
    {
        Bind(_get.Parameters, ParityData.RawOwner(ParityData.GetOwner), key);
        await using var reader = await _get.ExecuteReaderAsync();
        return await reader.ReadAsync() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(1), ParityData.TypeInfo)!.Count : throw new InvalidOperationException("absent");
    }

    protected override long WriteOne(string key)
    {
        Bind(_set.Parameters, WriteOwner, key, ParityData.Serialize(Value));
        return ScalarAsync(_set).GetAwaiter().GetResult();
    }

    protected override long CompareAndSet(string key, long expected)
    {
        Bind(_cas.Parameters, WriteOwner, key, ParityData.Serialize(Value), expected);
        return ScalarAsync(_cas).GetAwaiter().GetResult();
    }

    protected override long Delete(string key)
    {
        WriteOne(key);
        Bind(_delete.Parameters, WriteOwner, key);
        return _delete.ExecuteNonQueryAsync().GetAwaiter().GetResult();
    }

    protected override long Transaction(long[] versions) => TransactionAsync(versions).GetAwaiter().GetResult();

    private async Task<long> TransactionAsync(long[] versions)
    {
        // Each write serializes its value, as ten writes of an application would.
        for (var i = 0; i < versions.Length; i++)
        {
            Bind(_transaction.BatchCommands[i].Parameters, WriteOwner, ParityData.Key(ParityData.TransactionKeys + i), ParityData.Serialize(Value), versions[i]);
        }

        await using var transaction = await Connection.BeginTransactionAsync();
        await using (var reader = await _transaction.ExecuteReaderAsync())
        {
            for (var i = 0; i < versions.Length; i++)
            {
                if (!await reader.ReadAsync())
                {
                    throw new InvalidOperationException("conflict");
                }

                versions[i] = reader.GetInt64(0);
                await reader.NextResultAsync();
            }
        }

        await transaction.CommitAsync();
        return versions[0];
    }

    protected override long List() => ListAsync().GetAwaiter().GetResult();

    private async Task<long> ListAsync()
    {
        Bind(_list.Parameters, ParityData.RawOwner(ParityData.ListOwner));
        await using var reader = await _list.ExecuteReaderAsync();
        var (count, sum) = (0, 0L);
        while (await reader.ReadAsync())
        {
            var note = JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(2), ParityData.TypeInfo)!;
            count++;
            sum += note.Count + reader.GetInt64(1) + reader.GetString(0).Length;
        }

        return CheckListed(count, sum);
    }

    protected override long LockRoundTrip() => LockAsync().GetAwaiter().GetResult();

    private async Task<long> LockAsync()
    {
        Bind(_lock.Parameters, WriteOwner, ParityData.LockKey, Random.Shared.NextInt64());
        var granted = await ScalarAsync(_lock);
        Bind(_unlock.Parameters, WriteOwner, ParityData.LockKey, granted);
        return await _unlock.ExecuteNonQueryAsync();
    }

    protected static async Task<long> ScalarAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetInt64(0) : throw new InvalidOperationException("conflict");
    }

    public override async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await _dataSource.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A prepared command on the side's connection, its SQL's <c>raw.</c> tables in the side's schema.</summary>
    protected NpgsqlCommand Prepare(string sql, params ReadOnlySpan<NpgsqlDbType> types)
    {
        var command = new NpgsqlCommand(InSchema(sql), Connection);
        AddParameters(command.Parameters, types);
        command.Prepare();
        return command;
    }

    /// <summary><paramref name="sql"/> with the schema <c>raw</c> replaced by the side's.</summary>
    protected string InSchema(string sql) => sql.Replace("EXISTS raw;", "EXISTS " + _schema + ";", StringComparison.Ordinal).Replace("raw.", _schema + ".", StringComparison.Ordinal);

    protected static void AddParameters(NpgsqlParameterCollection parameters, params ReadOnlySpan<NpgsqlDbType> types)
    {
        foreach (var type in types)
        {
            parameters.Add(type switch
            {
                Text => new NpgsqlParameter<string> { NpgsqlDbType = type },
                Bigint => new NpgsqlParameter<long> { NpgsqlDbType = type },
                NpgsqlDbType.Uuid => new NpgsqlParameter<Guid> { NpgsqlDbType = type },
                NpgsqlDbType.Array | NpgsqlDbType.Bigint => new NpgsqlParameter<long[]> { NpgsqlDbType = type },
                _ => new NpgsqlParameter<byte[]> { NpgsqlDbType = type },
            });
        }
    }

    private static void Bind(NpgsqlParameterCollection parameters, string owner) => ((NpgsqlParameter<string>)parameters[0]).TypedValue = owner;

    protected static void Bind(NpgsqlParameterCollection parameters, string owner, string key)
    {
        ((NpgsqlParameter<string>)parameters[0]).TypedValue = owner;
        ((NpgsqlParameter<string>)parameters[1]).TypedValue = key;
    }

    protected static void Bind(NpgsqlParameterCollection parameters, string owner, string key, long value)
    {
        Bind(parameters, owner, key);
        ((NpgsqlParameter<long>)parameters[2]).TypedValue = value;
    }

    protected static void Bind(NpgsqlParameterCollection parameters, string owner, string key, byte[] value, long expected = -1)
    {
        Bind(parameters, owner, key);
        ((NpgsqlParameter<byte[]>)parameters[2]).TypedValue = value;
        if (expected >= 0)
        {
            ((NpgsqlParameter<long>)parameters[3]).TypedValue = expected;
        }
    }

    /// <summary>Runs <paramref name="sql"/> once, its <c>raw</c> schema replaced by the side's.</summary>
    protected void Execute(string sql)
    {
        using var command = new NpgsqlCommand(InSchema(sql), Connection);
        command.ExecuteNonQuery();
    }
}
