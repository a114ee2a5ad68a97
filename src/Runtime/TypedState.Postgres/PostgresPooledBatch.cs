using Npgsql;

namespace TypedState.Postgres;

/// <summary>A batch of <see cref="PostgresCommandPool"/>: what it rented, and from which physical connection's commands.</summary>
internal sealed class PostgresPooledBatch : NpgsqlBatch
{
    /// <summary>The commands of the physical connection the batch runs on, or null when commands are made per use.</summary>
    public PostgresConnectionCommands? Commands { get; set; }

    /// <summary>The commands rented for this use, to give back when it completed.</summary>
    public List<NpgsqlBatchCommand> Rented { get; } = [];
}
