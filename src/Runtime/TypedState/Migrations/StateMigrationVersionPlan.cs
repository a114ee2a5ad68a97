namespace TypedState;

/// <summary>The dry run of the records of one state type stored at one schema version.</summary>
public sealed class StateMigrationVersionPlan
{
    private readonly List<StateMigrationPlanSample> _samples = [];

    internal StateMigrationVersionPlan(int? storedVersion)
    {
        StoredVersion = storedVersion;
    }

    /// <summary>The stored schema version (<c>$version</c>, 1 when absent); <see langword="null"/> when it cannot be read.</summary>
    public int? StoredVersion { get; }

    /// <summary>How many records are stored at this version.</summary>
    public long Records => AlreadyCurrent + WouldUpgrade + NewerThanCode + WouldFail;

    /// <summary>How many records are already at the code's version (or are a JSON null).</summary>
    public long AlreadyCurrent { get; internal set; }

    /// <summary>How many records the migrator would rewrite.</summary>
    public long WouldUpgrade { get; internal set; }

    /// <summary>How many records were written by a newer build.</summary>
    public long NewerThanCode { get; internal set; }

    /// <summary>How many records are unreadable or fail their migration.</summary>
    public long WouldFail { get; internal set; }

    /// <summary>The first records the migrator would rewrite, before and after (at most <see cref="StateMigrationPlanOptions.SampleCount"/>).</summary>
    public IReadOnlyList<StateMigrationPlanSample> Samples => _samples;

    internal void AddSample(StateMigrationPlanSample sample, int limit)
    {
        if (_samples.Count < limit)
        {
            _samples.Add(sample);
        }
    }
}
