using System.Collections.Concurrent;
using Npgsql;

namespace TypedState.Postgres;

/// <summary>
/// Reusable batches and batch commands of the hot write and lock statements. A batch command with its parameters
/// costs 1–2 KB (each parameter 150–230 B), more than the rest of a single write: commands are made once per
/// statement and given back, with their parameters, after a batch that completed, so that a commit allocates only
/// what Npgsql needs per execution. Parameters are rebound on every use (<see cref="PostgresParameters"/> sets them
/// by position, adding those a new command lacks). A batch that failed is dropped with its commands.
/// </summary>
/// <remarks>
/// Commands are kept per statement text, compared by reference: every statement comes from one
/// <see cref="PostgresSql"/> instance, so a lookup never hashes the text. At most <see cref="MaxIdle"/> of each wait here.
/// </remarks>
internal sealed class PostgresCommandPool
{
    private const int MaxIdle = 64;
    private readonly ConcurrentDictionary<string, Idle<NpgsqlBatchCommand>> _commands = new(ReferenceEqualityComparer.Instance);
    private readonly Idle<NpgsqlBatch> _batches = new();

    /// <summary>An empty batch on <paramref name="connection"/>.</summary>
    public NpgsqlBatch RentBatch(NpgsqlConnection connection)
    {
        var batch = _batches.TryTake() ?? new NpgsqlBatch();
        batch.Connection = connection;
        return batch;
    }

    /// <summary>A command running <paramref name="sql"/> (a statement of <see cref="PostgresSql"/>), with the parameters of its last use, if any.</summary>
    public NpgsqlBatchCommand Rent(string sql) =>
        _commands.GetOrAdd(sql, static _ => new Idle<NpgsqlBatchCommand>()).TryTake() ?? new NpgsqlBatchCommand(sql);

    /// <summary>Adds a rented command for <paramref name="sql"/> to <paramref name="batch"/> and returns its parameters to bind.</summary>
    public NpgsqlParameterCollection Add(NpgsqlBatch batch, string sql)
    {
        var command = Rent(sql);
        batch.BatchCommands.Add(command);
        return command.Parameters;
    }

    /// <summary>
    /// Takes back a batch whose statements completed (its reader closed) with the commands it rented (others, made
    /// for one use, are dropped). Values that may be large (the write's bytes, held by untyped parameters) are
    /// cleared, so an idle command does not keep them alive.
    /// </summary>
    public void Return(NpgsqlBatch batch)
    {
        var commands = batch.BatchCommands;
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            if (!_commands.TryGetValue(command.CommandText, out var idle))
            {
                continue;
            }

            var parameters = command.Parameters;
            for (var p = 0; p < parameters.Count; p++)
            {
                if (parameters[p].GetType() == typeof(NpgsqlParameter))
                {
                    parameters[p].Value = DBNull.Value;
                }
            }

            idle.Give(command);
        }

        commands.Clear();
        batch.Connection = null;
        _batches.Give(batch);
    }

    /// <summary>A bounded set of idle objects of one kind.</summary>
    private sealed class Idle<T>
        where T : class
    {
        private readonly ConcurrentQueue<T> _queue = new();
        private int _count;

        public T? TryTake()
        {
            if (!_queue.TryDequeue(out var item))
            {
                return null;
            }

            Interlocked.Decrement(ref _count);
            return item;
        }

        public void Give(T item)
        {
            if (Interlocked.Increment(ref _count) <= MaxIdle)
            {
                _queue.Enqueue(item);
                return;
            }

            Interlocked.Decrement(ref _count);
        }
    }
}
