using System.Collections.Concurrent;
using Npgsql;

namespace TypedState.Postgres;

/// <summary>
/// Reusable batches and parameters of the hot write and lock statements. A statement's parameters cost 150–230 B
/// each, more than the rest of a single write: they are made once per statement and given back after a batch that
/// completed, to be rebound by position (<see cref="PostgresParameters"/> sets them, adding those a new statement
/// lacks). A batch that failed is dropped with its parameters.
/// </summary>
/// <remarks>
/// <para>The batch commands themselves are made per use: Npgsql remembers in a batch command the statement it
/// prepared on the connection it last ran on, and does not forget it when the command runs on another pooled
/// connection, so a reused batch command would name a prepared statement the new connection does not have (or
/// holds for other SQL). Parameters hold no such state. Batches are reusable: a batch whose commands are new
/// prepares them again on whichever connection it runs.</para>
/// <para>Parameters are kept per statement text, compared by reference: every statement comes from one
/// <see cref="PostgresSql"/> instance (or is a literal), so a lookup never hashes the text. At most
/// <see cref="MaxIdle"/> sets of each wait here.</para>
/// </remarks>
internal sealed class PostgresCommandPool
{
    private const int MaxIdle = 64;
    private readonly ConcurrentDictionary<string, Statement> _statements = new(ReferenceEqualityComparer.Instance);
    private readonly PostgresIdleSet<NpgsqlBatch> _batches = new(MaxIdle);

    /// <summary>An empty batch on <paramref name="connection"/>.</summary>
    public NpgsqlBatch RentBatch(NpgsqlConnection connection)
    {
        var batch = _batches.TryTake() ?? new NpgsqlBatch();
        batch.Connection = connection;
        return batch;
    }

    /// <summary>A new command running <paramref name="sql"/> (a statement of <see cref="PostgresSql"/>), with the parameters of an earlier use, if any.</summary>
    public NpgsqlBatchCommand Rent(string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        var statement = _statements.GetOrAdd(sql, static _ => new Statement());
        if (statement.Filled.TryTake() is { } parameters)
        {
            var collection = command.Parameters;
            for (var i = 0; i < parameters.Length; i++)
            {
                collection.Add(parameters[i]);
                parameters[i] = null!;
            }

            statement.Spare.Give(parameters);
        }

        return command;
    }

    /// <summary>Adds a rented command for <paramref name="sql"/> to <paramref name="batch"/> and returns its parameters to bind.</summary>
    public NpgsqlParameterCollection Add(NpgsqlBatch batch, string sql)
    {
        var command = Rent(sql);
        batch.BatchCommands.Add(command);
        return command.Parameters;
    }

    /// <summary>
    /// Takes back a batch whose statements completed (its reader closed) with the parameters of the commands it
    /// rented (others, made for one use, are dropped). Values that may be large (the write's bytes, held by untyped
    /// parameters) are cleared, so idle parameters do not keep them alive.
    /// </summary>
    public void Return(NpgsqlBatch batch)
    {
        var commands = batch.BatchCommands;
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var collection = command.Parameters;
            if (collection.Count == 0 || !_statements.TryGetValue(command.CommandText, out var statement))
            {
                continue;
            }

            var parameters = statement.Spare.TryTake() ?? new NpgsqlParameter[collection.Count];
            for (var p = 0; p < collection.Count; p++)
            {
                var parameter = collection[p];
                if (parameter.GetType() == typeof(NpgsqlParameter))
                {
                    parameter.Value = DBNull.Value;
                }

                parameters[p] = parameter;
            }

            // Detaches the parameters, so that the next command of the statement can take them.
            collection.Clear();
            statement.Filled.Give(parameters);
        }

        commands.Clear();
        batch.Connection = null;
        _batches.Give(batch);
    }

    /// <summary>The idle parameter sets of one statement, and the emptied arrays that carried them.</summary>
    private sealed class Statement
    {
        public PostgresIdleSet<NpgsqlParameter[]> Filled { get; } = new(MaxIdle);

        public PostgresIdleSet<NpgsqlParameter[]> Spare { get; } = new(MaxIdle);
    }
}
