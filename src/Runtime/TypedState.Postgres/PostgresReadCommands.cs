using Npgsql;

namespace TypedState.Postgres;

/// <summary>
/// Reusable commands of the record read. A command and its four typed parameters cost about 1.3 KB, more than the
/// rest of a read: they are made once and given back after a read that completed, so that a read allocates only what
/// Npgsql needs per execution. A read that failed drops its command; at most <see cref="MaxIdle"/> wait here.
/// </summary>
internal sealed class PostgresReadCommands(string sql)
{
    private const int MaxIdle = 32;
    private readonly PostgresIdleSet<NpgsqlCommand> _idle = new(MaxIdle);

    /// <summary>A command reading <paramref name="key"/> of <paramref name="owner"/> on <paramref name="connection"/>.</summary>
    public NpgsqlCommand Rent(NpgsqlConnection connection, StateOwner owner, string key)
    {
        var command = _idle.TryTake() ?? new NpgsqlCommand(sql);
        PostgresParameters.AddRecord(command.Parameters, owner, key);
        command.Connection = connection;
        return command;
    }

    /// <summary>Takes back a command whose read completed (its reader closed).</summary>
    public void Return(NpgsqlCommand command)
    {
        command.Connection = null;
        if (!_idle.Give(command))
        {
            command.Dispose();
        }
    }
}
