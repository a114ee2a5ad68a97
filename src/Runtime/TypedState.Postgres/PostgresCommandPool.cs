using System.Runtime.CompilerServices;
using Npgsql;

namespace TypedState.Postgres;

/// <summary>
/// Reusable batches and batch commands (with their parameters) of the hot write and lock statements. A statement's
/// command and parameters cost 350 B and more, more than the rest of a single write: they are made once per physical
/// connection and statement and given back after a batch that completed, to be rebound by position
/// (<see cref="PostgresParameters"/> sets them, adding those a new command lacks). A batch that failed is dropped with
/// its commands.
/// </summary>
/// <remarks>
/// <para>Commands are kept per physical connection, never shared between two: Npgsql remembers in a batch command the
/// statement it prepared on the connection it ran on and does not forget it when the command runs on another pooled
/// connection, which would then bind a prepared statement it does not have (or holds for other SQL). On its own
/// connection a reused command is what Npgsql's own reuse of a batch does. The physical connection is told by the
/// identity of its server parameters (<see cref="NpgsqlConnection.PostgresParameters"/>, one dictionary per physical
/// connection, for its whole life); its commands go with it when it is closed for good. Under multiplexing a
/// connection has no physical connection of its own, and commands are made per use.</para>
/// <para>Only commands rented here are taken back (a batch also carries commands made for one use, which may have the
/// same text). Statements are kept by their text, compared by reference: every statement comes from one
/// <see cref="PostgresSql"/> instance (or is a literal), so a lookup never hashes the text.</para>
/// </remarks>
internal sealed class PostgresCommandPool(bool perConnection)
{
    private const int MaxIdle = 64;
    private readonly ConditionalWeakTable<object, PostgresConnectionCommands> _connections = [];
    private readonly PostgresIdleSet<PostgresPooledBatch> _batches = new(MaxIdle);

    /// <summary>An empty batch on <paramref name="connection"/>, an open connection.</summary>
    public NpgsqlBatch RentBatch(NpgsqlConnection connection)
    {
        var batch = _batches.TryTake() ?? new PostgresPooledBatch();
        batch.Connection = connection;
        batch.Commands = perConnection ? _connections.GetValue(connection.PostgresParameters, static _ => new PostgresConnectionCommands()) : null;
        return batch;
    }

    /// <summary>
    /// Adds a command for <paramref name="sql"/> (a statement of <see cref="PostgresSql"/>) to <paramref name="batch"/>
    /// and returns its parameters to bind: a reused one when the batch was rented here, otherwise one for this use.
    /// </summary>
    public static NpgsqlParameterCollection Add(NpgsqlBatch batch, string sql)
    {
        if (batch is not PostgresPooledBatch pooled)
        {
            var single = new NpgsqlBatchCommand(sql);
            batch.BatchCommands.Add(single);
            return single.Parameters;
        }

        var command = pooled.Commands?.Rent(sql) ?? new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(command);
        pooled.Rented.Add(command);
        return command.Parameters;
    }

    /// <summary>
    /// Takes back a rented batch whose statements completed (its reader closed), on its still open connection, with
    /// the commands it rented; others, made for one use, are dropped (as is a batch not rented here).
    /// </summary>
    public void Return(NpgsqlBatch batch)
    {
        if (batch is not PostgresPooledBatch pooled)
        {
            return;
        }

        if (pooled.Commands is { } commands)
        {
            foreach (var command in pooled.Rented)
            {
                commands.Return(command);
            }
        }

        pooled.Rented.Clear();
        pooled.Commands = null;
        batch.BatchCommands.Clear();
        batch.Connection = null;
        _batches.Give(pooled);
    }
}
