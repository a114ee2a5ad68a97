using Microsoft.Data.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// The hand-written baseline: Microsoft.Data.Sqlite on one open connection with two prepared commands whose
/// parameters are created once. Same file settings (WAL, busy_timeout, synchronous), same table and the same
/// statements as the TypedState SQLite driver (its SqliteSql constants).
/// </summary>
public sealed class RawSqliteStore : IDisposable
{
    // The driver's own statements, so both sides run exactly the same SQL.
    public const string CreateTable = TypedState.Sqlite.SqliteSql.CreateRecordsTable;

    public const string Upsert = TypedState.Sqlite.SqliteSql.SetAny;

    public const string Select = TypedState.Sqlite.SqliteSql.Read;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteParameter _upsertScope;
    private readonly SqliteParameter _upsertGuild;
    private readonly SqliteParameter _upsertAgent;
    private readonly SqliteParameter _upsertKey;
    private readonly SqliteParameter _upsertValue;
    private readonly SqliteCommand _select;
    private readonly SqliteParameter _selectScope;
    private readonly SqliteParameter _selectGuild;
    private readonly SqliteParameter _selectAgent;
    private readonly SqliteParameter _selectKey;

    public RawSqliteStore(string path, int synchronous)
    {
        // The driver turns the provider's pool off (it pools its own connections) and sets the same timeout.
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 };
        _connection = new SqliteConnection(builder.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL");
        Execute($"PRAGMA busy_timeout = 30000; PRAGMA synchronous = {synchronous};");
        Execute(CreateTable);

        // The driver's insert starts a record above its guild's version floor: the raw side reads the same table.
        Execute(TypedState.Sqlite.SqliteSql.CreateGuildFloorsTable);

        _upsert = _connection.CreateCommand();
        _upsert.CommandText = Upsert;
        _upsertScope = _upsert.Parameters.Add("$scope", SqliteType.Integer);
        _upsertGuild = _upsert.Parameters.Add("$guild", SqliteType.Text);
        _upsertAgent = _upsert.Parameters.Add("$agent", SqliteType.Text);
        _upsertKey = _upsert.Parameters.Add("$key", SqliteType.Text);
        _upsertValue = _upsert.Parameters.Add("$value", SqliteType.Blob);
        _upsert.Prepare();

        _select = _connection.CreateCommand();
        _select.CommandText = Select;
        _selectScope = _select.Parameters.Add("$scope", SqliteType.Integer);
        _selectGuild = _select.Parameters.Add("$guild", SqliteType.Text);
        _selectAgent = _select.Parameters.Add("$agent", SqliteType.Text);
        _selectKey = _select.Parameters.Add("$key", SqliteType.Text);
        _select.Prepare();
    }

    /// <summary>Upserts the value and returns the record's new version.</summary>
    public long Set(long scope, string guildId, string agentId, string key, byte[] value)
    {
        _upsertScope.Value = scope;
        _upsertGuild.Value = guildId;
        _upsertAgent.Value = agentId;
        _upsertKey.Value = key;
        _upsertValue.Value = value;
        using var reader = _upsert.ExecuteReader();
        reader.Read();
        return reader.GetInt64(0);
    }

    /// <summary>The stored bytes and version, or null bytes when the record is absent.</summary>
    public (byte[]? Value, long Version) Get(long scope, string guildId, string agentId, string key)
    {
        _selectScope.Value = scope;
        _selectGuild.Value = guildId;
        _selectAgent.Value = agentId;
        _selectKey.Value = key;
        using var reader = _select.ExecuteReader();
        return reader.Read() ? (reader.GetFieldValue<byte[]>(0), reader.GetInt64(1)) : (null, 0);
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _select.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
