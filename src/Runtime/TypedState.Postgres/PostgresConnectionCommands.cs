using Npgsql;

namespace TypedState.Postgres;

/// <summary>
/// The idle commands of one physical connection (<see cref="PostgresCommandPool"/>), by statement text (compared by
/// reference). One operation at a time holds a physical connection, so these are not shared between threads at once;
/// the lock only orders the hand-over from one holder to the next, and is never contended.
/// </summary>
internal sealed class PostgresConnectionCommands
{
    /// <summary>At most this many idle commands of one statement (a transaction uses one statement for many writes).</summary>
    private const int MaxIdlePerStatement = 32;

    private readonly Dictionary<string, Stack<NpgsqlBatchCommand>> _idle = new(ReferenceEqualityComparer.Instance);

    /// <summary>An idle command running <paramref name="sql"/>, with the parameters of its last use, or a new one.</summary>
    public NpgsqlBatchCommand Rent(string sql)
    {
        lock (_idle)
        {
            return _idle.TryGetValue(sql, out var idle) && idle.TryPop(out var command) ? command : new NpgsqlBatchCommand(sql);
        }
    }

    /// <summary>
    /// Keeps a command whose statement completed. Values that may be large (the write's bytes, held by untyped
    /// parameters) are cleared, so idle commands do not keep them alive.
    /// </summary>
    public void Return(NpgsqlBatchCommand command)
    {
        var parameters = command.Parameters;
        for (var p = 0; p < parameters.Count; p++)
        {
            var parameter = parameters[p];
            if (parameter.GetType() == typeof(NpgsqlParameter))
            {
                parameter.Value = DBNull.Value;
            }
        }

        lock (_idle)
        {
            if (!_idle.TryGetValue(command.CommandText, out var idle))
            {
                _idle[command.CommandText] = idle = new Stack<NpgsqlBatchCommand>();
            }

            if (idle.Count < MaxIdlePerStatement)
            {
                idle.Push(command);
            }
        }
    }
}
