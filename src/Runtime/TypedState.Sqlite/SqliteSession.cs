using Microsoft.Data.Sqlite;

namespace TypedState.Sqlite;

/// <summary>
/// One open connection with its statements prepared once and reused: the driver keeps a pool of these, so a
/// hot-path operation binds parameters and steps a prepared statement, nothing more.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);

    public SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The commit ids remembered through this (writer's) session since its last prune: a prune is due after enough (SqliteCommitPruner).</summary>
    public int RememberedIds { get; set; }

    /// <summary>The prepared command for <paramref name="sql"/> with its parameters cleared of old values' meaning.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }

    /// <summary>The statement for <paramref name="sql"/> run through SQLitePCL directly (<see cref="SqliteStatement"/>), prepared on first use.</summary>
    public SqliteStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new SqliteStatement(Connection.Handle!, sql);
            _statements.Add(sql, statement);
        }

        return statement;
    }

    public static void BindRecord(SqliteCommand command, StateOwner owner, string key)
    {
        BindOwner(command, owner);
        Bind(command, "$key", key);
    }

    public static void BindOwner(SqliteCommand command, StateOwner owner)
    {
        Bind(command, "$scope", (long)owner.Scope);
        Bind(command, "$guild", owner.GuildIdOrEmpty);
        Bind(command, "$agent", owner.AgentIdOrEmpty);
    }

    public static void Bind(SqliteCommand command, string name, object value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index >= 0)
        {
            parameters[index].Value = value;
        }
        else
        {
            parameters.AddWithValue(name, value);
        }
    }

    /// <summary>Runs a statement that returns at most one integer (a RETURNING version or a SELECT); null when no row.</summary>
    public static long? ExecuteVersion(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetInt64(0) : null;
    }

    public void Dispose()
    {
        // Finalized before the connection closes, which would otherwise wait for them.
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
