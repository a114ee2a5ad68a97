using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TypedState.Sqlite;

/// <summary>
/// A statement prepared once on a session's connection and run through SQLitePCL directly, for the statements every
/// commit runs: binding and stepping it allocate nothing, where a Microsoft.Data.Sqlite command allocates a reader, a
/// record and a binder per parameter on each execution. A caller binds every parameter, steps, reads the row, and
/// always resets (<see cref="Reset"/>), so the statement holds no lock and no read transaction between uses.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private byte[] _text = new byte[128];

    public SqliteStatement(sqlite3 db, string sql)
    {
        _db = db;
        var rc = raw.sqlite3_prepare_v2(db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            _statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    public void Bind(string name, long value) => Check(raw.sqlite3_bind_int64(_statement, Index(name), value));

    public void Bind(string name, string value)
    {
        // SQLite copies the bound text (SQLITE_TRANSIENT), so one buffer serves every parameter.
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_text.Length < length)
        {
            _text = new byte[Math.Max(length, _text.Length * 2)];
        }

        var written = Encoding.UTF8.GetBytes(value, _text);
        Check(raw.sqlite3_bind_text(_statement, Index(name), _text.AsSpan(0, written)));
    }

    /// <summary>Binds a blob, or NULL for a null array.</summary>
    public void Bind(string name, ReadOnlySpan<byte> value, bool isNull = false) =>
        Check(isNull ? raw.sqlite3_bind_null(_statement, Index(name)) : raw.sqlite3_bind_blob(_statement, Index(name), value));

    public void BindNull(string name) => Check(raw.sqlite3_bind_null(_statement, Index(name)));

    public void BindOwner(StateOwner owner)
    {
        Bind("$scope", (long)owner.Scope);
        Bind("$guild", owner.GuildIdOrEmpty);
        Bind("$agent", owner.AgentIdOrEmpty);
    }

    public void BindRecord(StateOwner owner, string key)
    {
        BindOwner(owner);
        Bind("$key", key);
    }

    /// <summary>Steps once: true when a row is there to read, false when the statement is done.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }

        var error = Error(rc);
        raw.sqlite3_reset(_statement);
        throw error;
    }

    /// <summary>Steps once and returns SQLite's answer code, for the caller to judge (transaction statements).</summary>
    public int StepCode() => raw.sqlite3_step(_statement);

    /// <summary>The error SQLite reported with <paramref name="rc"/>, as Microsoft.Data.Sqlite reports it.</summary>
    public SqliteException Error(int rc)
    {
        try
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        catch (SqliteException error)
        {
            return error;
        }

        return new SqliteException($"SQLite error {rc}", rc);
    }

    /// <summary>The rows the connection's last finished INSERT, UPDATE or DELETE changed.</summary>
    public int Changes => raw.sqlite3_changes(_db);

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>The blob of the current row's column: valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_statement, column);

    /// <summary>Runs a statement that returns at most one integer; null when no row. Resets it.</summary>
    public long? ExecuteVersion()
    {
        try
        {
            return Step() ? Int64(0) : null;
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Runs a statement to its end (every effect of a DML statement happens at its first step). Resets it.</summary>
    public void Execute()
    {
        try
        {
            while (Step())
            {
            }
        }
        finally
        {
            Reset();
        }
    }

    public void Reset() => raw.sqlite3_reset(_statement);

    public void Dispose() => _statement.Dispose();

    private int Index(string name)
    {
        if (!_indexes.TryGetValue(name, out var index))
        {
            index = raw.sqlite3_bind_parameter_index(_statement, name);
            if (index == 0)
            {
                throw new InvalidOperationException($"The statement has no parameter {name}.");
            }

            _indexes.Add(name, index);
        }

        return index;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }
}
