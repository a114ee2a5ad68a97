namespace TypedState;

/// <summary>
/// What the startup migrator would do, computed without writing (<see cref="StateMigrator.PlanAsync(StateMigrationPlanOptions?, CancellationToken)"/>):
/// per state type and stored schema version, how many records are current, would be upgraded, are newer than the
/// code or would fail, with the first few upgrades before and after and the failing records.
/// </summary>
public sealed class StateMigrationPlan
{
    internal StateMigrationPlan(IReadOnlyList<StateMigrationTypePlan> types)
    {
        Types = types;
    }

    /// <summary>One entry per state type, in the migrator's order.</summary>
    public IReadOnlyList<StateMigrationTypePlan> Types { get; }

    /// <summary>Whether the migrator would upgrade every record: no record is newer than the code or fails.</summary>
    public bool WouldSucceed => Types.All(type => type.FailureCount == 0);

    /// <summary>How many records the migrator would rewrite, over every type.</summary>
    public long WouldUpgrade => Types.Sum(type => type.WouldUpgrade);

    /// <summary>How many records would stop the migrator (newer than the code or failing), over every type.</summary>
    public long FailureCount => Types.Sum(type => type.FailureCount);
}
