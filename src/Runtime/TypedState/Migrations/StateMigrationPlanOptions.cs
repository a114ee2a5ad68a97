namespace TypedState;

/// <summary>Settings of a dry run of the startup migrator (<see cref="StateMigrator.PlanAsync(StateMigrationPlanOptions?, CancellationToken)"/>).</summary>
public sealed class StateMigrationPlanOptions
{
    /// <summary>How many records to upgrade are kept, before and after, per state type and stored version (default 3).</summary>
    public int SampleCount { get; set; } = 3;

    /// <summary>
    /// How many failing records are listed per state type (default 1000). Every failing record is counted; the list
    /// is bounded so a type whose every record fails does not hold the store in memory.
    /// </summary>
    public int MaxFailuresListed { get; set; } = 1000;

    internal void Validate()
    {
        if (SampleCount is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, "SampleCount must be between 0 and 1000.");
        }

        if (MaxFailuresListed < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFailuresListed), MaxFailuresListed, "MaxFailuresListed must not be negative.");
        }
    }
}
