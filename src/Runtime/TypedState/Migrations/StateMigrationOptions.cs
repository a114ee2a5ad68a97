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

    /// <summary>
    /// What a record that cannot be upgraded does to the run (default <see cref="StateMigrationFailureAction.Stop"/>):
    /// stop it, or be moved into the quarantine while the others are upgraded. A record written by a newer build stops
    /// the run either way.
    /// </summary>
    public StateMigrationFailureAction OnFailure { get; set; } = StateMigrationFailureAction.Stop;

    internal void Validate()
    {
        if (!Enum.IsDefined(OnFailure))
        {
            throw new ArgumentOutOfRangeException(nameof(OnFailure), OnFailure, "OnFailure must be Stop or Quarantine.");
        }

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
