using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// Hand-written Microsoft.Data.Sqlite: one open connection in its own file (WAL, synchronous as TypedState's),
/// prepared commands whose parameters are created once, a table keyed by owner and key with a version column, and a
/// lock table. What an application would write without a library.
/// </summary>
public sealed class RawSqliteSide : ParitySide
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _set;
    private readonly SqliteCommand _cas;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _list;
    private readonly SqliteCommand _lock;
    private readonly SqliteCommand _unlock;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly string _writeOwner = ParityData.RawOwner(ParityData.WriteOwner);

    // With commit ids: each write is its own transaction that first looks its id up and then remembers it, in a
    // table of the driver's shape (storage layout 8: one b-tree keyed by a time-ordered id in RFC 9562 byte order, as
    // CommitId.New makes it; versions; expiry, pruned without an index): the guarantee's own cost.
    private readonly SqliteCommand? _findCommit;
    private readonly SqliteCommand? _rememberCommit;

    /// <param name="path">The database file.</param>
    /// <param name="synchronous">PRAGMA synchronous.</param>
    /// <param name="rememberCommitIds">Whether every write also looks up and remembers a commit id, as TypedState does.</param>
    public RawSqliteSide(string path, int synchronous, bool rememberCommitIds = false)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL");
        Execute($"PRAGMA busy_timeout = 30000; PRAGMA synchronous = {synchronous};");
        Execute("CREATE TABLE IF NOT EXISTS records (owner TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, value BLOB, PRIMARY KEY (owner, key))");
        Execute("CREATE TABLE IF NOT EXISTS locks (owner TEXT NOT NULL, key TEXT NOT NULL, token INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (owner, key))");
        _get = Prepare("SELECT version, value FROM records WHERE owner = $o AND key = $k", "$o", "$k");
        _set = Prepare("INSERT INTO records (owner, key, version, value) VALUES ($o, $k, 1, $v) ON CONFLICT (owner, key) DO UPDATE SET version = version + 1, value = excluded.value RETURNING version", "$o", "$k", "$v");
        _cas = Prepare("UPDATE records SET version = version + 1, value = $v WHERE owner = $o AND key = $k AND version = $e RETURNING version", "$o", "$k", "$v", "$e");
        _delete = Prepare("DELETE FROM records WHERE owner = $o AND key = $k", "$o", "$k");
        _list = Prepare("SELECT key, version, value FROM records WHERE owner = $o ORDER BY key", "$o");
        _lock = Prepare("INSERT INTO locks (owner, key, token, expires) VALUES ($o, $k, $t, $x) ON CONFLICT (owner, key) DO UPDATE SET token = excluded.token, expires = excluded.expires WHERE locks.expires < $n RETURNING token", "$o", "$k", "$t", "$x", "$n");
        _unlock = Prepare("DELETE FROM locks WHERE owner = $o AND key = $k AND token = $t", "$o", "$k", "$t");
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        if (rememberCommitIds)
        {
            Execute("CREATE TABLE IF NOT EXISTS commits (id BLOB NOT NULL PRIMARY KEY, versions BLOB NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID");
            _findCommit = Prepare("SELECT versions FROM commits WHERE id = $i", "$i");
            _rememberCommit = Prepare("INSERT INTO commits (id, versions, expires_at) VALUES ($i, $v, $x)", "$i", "$v", "$x");
        }
    }

    /// <summary>Whether the writes remember commit ids (the row label says so).</summary>
    public bool RemembersCommitIds => _findCommit is not null;

    /// <summary>Writes the data set in one transaction.</summary>
    public void Seed()
    {
        _begin.ExecuteNonQuery();
        for (var o = 0; o < ParityData.Owners; o++)
        {
            for (var i = 0; i < ParityData.RecordsPerOwner; i++)
            {
                Bind(_set, ParityData.RawOwner(o), ParityData.Key(i), ParityData.Serialize(ParityData.Create(o, i)));
                _set.ExecuteScalar();
            }
        }

        _commit.ExecuteNonQuery();
    }

    protected override long ReadVersion(int keyIndex)
    {
        Bind(_get, _writeOwner, ParityData.Key(keyIndex));
        return (long)_get.ExecuteScalar()!;
    }

    protected override long ReadOne(string key)
    {
        Bind(_get, ParityData.RawOwner(ParityData.GetOwner), key);
        using var reader = _get.ExecuteReader();
        return reader.Read() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(1), ParityData.TypeInfo)!.Count : throw new InvalidOperationException("absent");
    }

    protected override long WriteOne(string key)
    {
        var id = BeginCommit();
        Bind(_set, _writeOwner, key, ParityData.Serialize(Value));
        return EndCommit(id, (long)_set.ExecuteScalar()!);
    }

    protected override long CompareAndSet(string key, long expected)
    {
        var id = BeginCommit();
        Bind(_cas, _writeOwner, key, ParityData.Serialize(Value), expected);
        return EndCommit(id, _cas.ExecuteScalar() is long version ? version : throw new InvalidOperationException("conflict"));
    }

    protected override long Delete(string key)
    {
        WriteOne(key);
        var id = BeginCommit();
        Bind(_delete, _writeOwner, key);
        return EndCommit(id, _delete.ExecuteNonQuery());
    }

    protected override long Transaction(long[] versions)
    {
        _begin.ExecuteNonQuery();
        var id = _findCommit is null ? null : FindCommit();
        for (var i = 0; i < versions.Length; i++)
        {
            Bind(_cas, _writeOwner, ParityData.Key(ParityData.TransactionKeys + i), ParityData.Serialize(Value), versions[i]);
            if (_cas.ExecuteScalar() is not long version)
            {
                Execute("ROLLBACK");
                throw new InvalidOperationException("conflict");
            }

            versions[i] = version;
        }

        if (id is not null)
        {
            Remember(id, versions[0]);
        }

        _commit.ExecuteNonQuery();
        return versions[0];
    }

    protected override long List()
    {
        Bind(_list, ParityData.RawOwner(ParityData.ListOwner));
        using var reader = _list.ExecuteReader();
        var (count, sum) = (0, 0L);
        while (reader.Read())
        {
            var note = JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(2), ParityData.TypeInfo)!;
            count++;
            sum += note.Count + reader.GetInt64(1) + reader.GetString(0).Length;
        }

        return CheckListed(count, sum);
    }

    protected override long LockRoundTrip()
    {
        var token = Random.Shared.NextInt64();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Bind(_lock, _writeOwner, ParityData.LockKey, token, now + 30_000, now);
        if (_lock.ExecuteScalar() is not long granted)
        {
            throw new InvalidOperationException("The lock was taken.");
        }

        Bind(_unlock, _writeOwner, ParityData.LockKey, granted);
        return _unlock.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public override bool Supports(ParityOp op) => _rememberCommit is null || op is ParityOp.Set or ParityOp.CompareAndSet or ParityOp.Delete or ParityOp.Transaction;

    public override ValueTask DisposeAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>With commit ids: BEGIN IMMEDIATE and the lookup of a fresh id (never found); else nothing.</summary>
    private byte[]? BeginCommit()
    {
        if (_findCommit is null)
        {
            return null;
        }

        _begin.ExecuteNonQuery();
        return FindCommit();
    }

    private byte[] FindCommit()
    {
        var id = Guid.CreateVersion7().ToByteArray(bigEndian: true);
        Bind(_findCommit!, id);
        return _findCommit!.ExecuteScalar() is null ? id : throw new InvalidOperationException("A fresh commit id was found.");
    }

    /// <summary>With commit ids: remembers the id with the write's version and commits.</summary>
    private long EndCommit(byte[]? id, long result)
    {
        if (id is not null)
        {
            Remember(id, result);
            _commit.ExecuteNonQuery();
        }

        return result;
    }

    private void Remember(byte[] id, long version)
    {
        Bind(_rememberCommit!, id, BitConverter.GetBytes(version), DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds());
        _rememberCommit!.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params ReadOnlySpan<object> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
