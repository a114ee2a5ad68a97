namespace TypedState;

/// <summary>Settings of the startup migrator (<see cref="StateMigrator"/>).</summary>
public sealed class StateMigrationOptions
{
    /// <summary>
    /// How many upgraded records are written in one atomic batch (default 100). Memory use is bounded by one batch;
    /// an interrupted migration keeps the batches already written and continues from there on the next run.
    /// </summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often a batch is re-read and retried when a concurrent writer changed one of its records (default 5).</summary>
    public int MaxBatchAttempts { get; set; } = 5;

    internal void Validate()
    {
        if (BatchSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be between 1 and 10000.");
        }

        if (MaxBatchAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchAttempts), MaxBatchAttempts, "MaxBatchAttempts must be at least 1.");
        }
    }
}
