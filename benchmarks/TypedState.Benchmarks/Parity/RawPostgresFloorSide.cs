using Npgsql;
using NpgsqlTypes;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// The raw client that also does what the store guarantees on PostgreSQL, so that the floor of each write is measured
/// in the same run (schema <c>rawfloor</c>). Each single write is one round trip of two statements, as the driver's:
/// the guild's shared advisory lock, then the write, which remembers a commit id with its version in its own
/// statement. The 10-write transaction claims its commit id and takes the guild lock in its first round trip and stores
/// its versions with <c>COMMIT</c> in its second. The lock round trip takes the owner's exclusive advisory lock and the
/// owner's next fencing token with the lease (tokens only grow), and releases by ending the lease. Reads are the raw
/// client's (the store's only extra there is the fork probe of the owner's guild). The listing reads keyset pages of
/// the driver's default page size, each read whole before its values are deserialized, as the driver's pages are, so
/// that no connection is held while the caller works on the records.
/// </summary>
public sealed class RawPostgresFloorSide : RawPostgresSide
{
    /// <summary>The driver's default listing page (<c>PostgresStateDriverOptions.ListPageSize</c>).</summary>
    private const int PostgresPageSize = 256;

    private const string GuildLock = "SELECT pg_advisory_xact_lock_shared(1414725635, hashtext($1))";
    private const string Remember = "claimed AS (INSERT INTO raw.commit_ids (id, versions, expires_at) SELECT {id}, ARRAY[version], now() + interval '1 day' FROM written)";

    private readonly NpgsqlBatch _set;
    private readonly NpgsqlBatch _cas;
    private readonly NpgsqlBatch _delete;
    private readonly NpgsqlBatch _transaction;
    private readonly NpgsqlBatch _commit;
    private readonly NpgsqlBatch _lock;
    private readonly NpgsqlCommand _unlock;
    private readonly NpgsqlCommand _listFirst;
    private readonly NpgsqlCommand _listNext;
    private readonly List<(string Key, long Version, byte[] Value)> _page = new(PostgresPageSize);
    private readonly string _guild = ParityData.GuildId(ParityData.WriteOwner);

    public RawPostgresFloorSide(string connectionString)
        : base(connectionString, "rawfloor")
    {
        Execute("""
            CREATE TABLE IF NOT EXISTS raw.commit_ids (id uuid PRIMARY KEY, versions bigint[], expires_at timestamptz NOT NULL);
            CREATE INDEX IF NOT EXISTS commit_ids_expiry ON raw.commit_ids (expires_at);
            CREATE TABLE IF NOT EXISTS raw.lock_owners (owner text PRIMARY KEY, last_token bigint NOT NULL);
            """);
        _set = Locked(
            "WITH written AS (INSERT INTO raw.records (owner, key, version, value) VALUES ($1, $2, 1, $3) ON CONFLICT (owner, key) " +
            "DO UPDATE SET version = raw.records.version + 1, value = excluded.value RETURNING version), " + Remember.Replace("{id}", "$4", StringComparison.Ordinal) +
            " SELECT version FROM written",
            Text, Text, Json, NpgsqlDbType.Uuid);
        _cas = Locked(
            "WITH written AS (UPDATE raw.records SET version = version + 1, value = $3 WHERE owner = $1 AND key = $2 AND version = $4 RETURNING version), " +
            Remember.Replace("{id}", "$5", StringComparison.Ordinal) + " SELECT version FROM written",
            Text, Text, Json, Bigint, NpgsqlDbType.Uuid);
        _delete = Locked(
            "WITH written AS (DELETE FROM raw.records WHERE owner = $1 AND key = $2 RETURNING version), claimed AS (INSERT INTO raw.commit_ids (id, versions, expires_at) " +
            "VALUES ($3, ARRAY[coalesce((SELECT version FROM written), 0)], now() + interval '1 day')) SELECT count(*) FROM written",
            Text, Text, NpgsqlDbType.Uuid);

        _transaction = new NpgsqlBatch(Connection);
        _transaction.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        _transaction.BatchCommands.Add(Command("INSERT INTO raw.commit_ids (id, expires_at) VALUES ($1, now() + interval '1 day')", NpgsqlDbType.Uuid));
        _transaction.BatchCommands.Add(Command(GuildLock, Text));
        for (var i = 0; i < ParityData.TransactionWrites; i++)
        {
            _transaction.BatchCommands.Add(Command("UPDATE raw.records SET version = version + 1, value = $3 WHERE owner = $1 AND key = $2 AND version = $4 RETURNING version", Text, Text, Json, Bigint));
        }

        _commit = new NpgsqlBatch(Connection);
        _commit.BatchCommands.Add(Command("UPDATE raw.commit_ids SET versions = $1 WHERE id = $2", NpgsqlDbType.Array | NpgsqlDbType.Bigint, NpgsqlDbType.Uuid));
        _commit.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

        _lock = new NpgsqlBatch(Connection);
        _lock.BatchCommands.Add(Command("SELECT pg_advisory_xact_lock(1414725634, hashtext($1))", Text));
        _lock.BatchCommands.Add(Command(
            "WITH counter AS (INSERT INTO raw.lock_owners AS o (owner, last_token) VALUES ($1, 1) ON CONFLICT (owner) DO UPDATE SET last_token = o.last_token + 1 RETURNING last_token) " +
            "INSERT INTO raw.locks AS l (owner, key, token, expires) SELECT $1, $2, last_token, now() + interval '30 seconds' FROM counter " +
            "ON CONFLICT (owner, key) DO UPDATE SET token = excluded.token, expires = excluded.expires WHERE l.expires < now() RETURNING token",
            Text, Text));
        _unlock = Prepare("UPDATE raw.locks SET expires = '-infinity' WHERE owner = $1 AND key = $2 AND token = $3", Text, Text, Bigint);
        _listFirst = Prepare("SELECT key, version, value FROM raw.records WHERE owner = $1 ORDER BY key LIMIT $2", Text, Bigint);
        _listNext = Prepare("SELECT key, version, value FROM raw.records WHERE owner = $1 AND key > $2 ORDER BY key LIMIT $3", Text, Text, Bigint);
    }

    protected override long List() => ListPagesAsync().GetAwaiter().GetResult();

    private async Task<long> ListPagesAsync()
    {
        var (count, sum) = (0, 0L);
        var owner = ParityData.RawOwner(ParityData.ListOwner);
        string? after = null;
        while (true)
        {
            var command = after is null ? _listFirst : _listNext;
            ((NpgsqlParameter<string>)command.Parameters[0]).TypedValue = owner;
            if (after is not null)
            {
                ((NpgsqlParameter<string>)command.Parameters[1]).TypedValue = after;
            }

            ((NpgsqlParameter<long>)command.Parameters[^1]).TypedValue = PostgresPageSize;
            _page.Clear();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    _page.Add((reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)));
                }
            }

            DeserializePage(_page, ref count, ref sum);
            if (_page.Count < PostgresPageSize)
            {
                return CheckListed(count, sum);
            }

            after = _page[^1].Key;
        }
    }

    protected override long WriteOne(string key)
    {
        Bind(_set, key, ParityData.Serialize(Value));
        ((NpgsqlParameter<Guid>)_set.BatchCommands[1].Parameters[3]).TypedValue = Guid.NewGuid();
        return SecondScalarAsync(_set).GetAwaiter().GetResult();
    }

    protected override long CompareAndSet(string key, long expected)
    {
        Bind(_cas, key, ParityData.Serialize(Value), expected);
        ((NpgsqlParameter<Guid>)_cas.BatchCommands[1].Parameters[4]).TypedValue = Guid.NewGuid();
        return SecondScalarAsync(_cas).GetAwaiter().GetResult();
    }

    protected override long Delete(string key)
    {
        WriteOne(key);
        ((NpgsqlParameter<string>)_delete.BatchCommands[0].Parameters[0]).TypedValue = _guild;
        Bind(_delete.BatchCommands[1].Parameters, WriteOwner, key);
        ((NpgsqlParameter<Guid>)_delete.BatchCommands[1].Parameters[2]).TypedValue = Guid.NewGuid();
        return SecondScalarAsync(_delete).GetAwaiter().GetResult();
    }

    protected override long Transaction(long[] versions) => TransactionAsync(versions).GetAwaiter().GetResult();

    private async Task<long> TransactionAsync(long[] versions)
    {
        var id = Guid.NewGuid();
        ((NpgsqlParameter<Guid>)_transaction.BatchCommands[1].Parameters[0]).TypedValue = id;
        ((NpgsqlParameter<string>)_transaction.BatchCommands[2].Parameters[0]).TypedValue = _guild;
        for (var i = 0; i < versions.Length; i++)
        {
            Bind(_transaction.BatchCommands[3 + i].Parameters, WriteOwner, ParityData.Key(ParityData.TransactionKeys + i), ParityData.Serialize(Value), versions[i]);
        }

        await using (var reader = await _transaction.ExecuteReaderAsync())
        {
            // The reader starts at the guild lock's row (BEGIN and the claim return none), then moves to each write's.
            for (var i = 0; i < versions.Length; i++)
            {
                await reader.NextResultAsync();
                if (!await reader.ReadAsync())
                {
                    throw new InvalidOperationException("conflict");
                }

                versions[i] = reader.GetInt64(0);
            }
        }

        ((NpgsqlParameter<long[]>)_commit.BatchCommands[0].Parameters[0]).TypedValue = versions;
        ((NpgsqlParameter<Guid>)_commit.BatchCommands[0].Parameters[1]).TypedValue = id;
        await _commit.ExecuteNonQueryAsync();
        return versions[0];
    }

    protected override long LockRoundTrip() => LockAsync().GetAwaiter().GetResult();

    private async Task<long> LockAsync()
    {
        ((NpgsqlParameter<string>)_lock.BatchCommands[0].Parameters[0]).TypedValue = WriteOwner;
        Bind(_lock.BatchCommands[1].Parameters, WriteOwner, ParityData.LockKey);
        var granted = await SecondScalarAsync(_lock);
        Bind(_unlock.Parameters, WriteOwner, ParityData.LockKey, granted);
        return await _unlock.ExecuteNonQueryAsync();
    }

    /// <summary>A batch of the guild lock and <paramref name="sql"/>.</summary>
    private NpgsqlBatch Locked(string sql, params ReadOnlySpan<NpgsqlDbType> types)
    {
        var batch = new NpgsqlBatch(Connection);
        batch.BatchCommands.Add(Command(GuildLock, Text));
        batch.BatchCommands.Add(Command(sql, types));
        return batch;
    }

    private NpgsqlBatchCommand Command(string sql, params ReadOnlySpan<NpgsqlDbType> types)
    {
        var command = new NpgsqlBatchCommand(InSchema(sql));
        AddParameters(command.Parameters, types);
        return command;
    }

    /// <summary>Binds the guild lock and the write's owner, key, value and expected version of a locked write.</summary>
    private void Bind(NpgsqlBatch batch, string key, byte[] value, long expected = -1)
    {
        ((NpgsqlParameter<string>)batch.BatchCommands[0].Parameters[0]).TypedValue = _guild;
        Bind(batch.BatchCommands[1].Parameters, WriteOwner, key, value, expected);
    }

    /// <summary>Runs a batch whose first statement is a lock and returns the second's first column.</summary>
    private static async Task<long> SecondScalarAsync(NpgsqlBatch batch)
    {
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.NextResultAsync();
        return await reader.ReadAsync() ? reader.GetInt64(0) : throw new InvalidOperationException("conflict");
    }
}
