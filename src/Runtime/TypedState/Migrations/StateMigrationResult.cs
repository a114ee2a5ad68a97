namespace TypedState;

/// <summary>What the migrator did for one state type.</summary>
/// <param name="StateType">The state type.</param>
/// <param name="Version">The schema version every record of the type now has.</param>
/// <param name="OwnersScanned">How many owners of the type's scope were looked at.</param>
/// <param name="Upgraded">How many records were rewritten at <paramref name="Version"/>.</param>
/// <param name="AlreadyCurrent">How many records were already at <paramref name="Version"/>.</param>
public sealed record StateMigrationResult(Type StateType, int Version, long OwnersScanned, long Upgraded, long AlreadyCurrent)
{
    /// <summary>
    /// How many records could not be upgraded and were moved into the quarantine
    /// (<see cref="StateMigrationFailureAction.Quarantine"/>; always 0 with <see cref="StateMigrationFailureAction.Stop"/>).
    /// </summary>
    public long Quarantined { get; init; }
}
