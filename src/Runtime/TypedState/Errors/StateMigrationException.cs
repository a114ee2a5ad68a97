namespace TypedState;

/// <summary>
/// A migration step of a state type threw, or its result could not be read as the type. The stored record is left
/// unchanged; at startup the migration stops here.
/// </summary>
public sealed class StateMigrationException : StateSchemaException
{
    /// <summary>Creates the exception.</summary>
    public StateMigrationException(Type stateType, int fromVersion, int toVersion, Exception innerException, StateOwner? owner = null, string? key = null)
        : base(
            $"Migrating {stateType.Name} from schema version {fromVersion} to {toVersion} failed: {innerException?.Message} The stored record is unchanged.",
            stateType,
            owner,
            key,
            innerException)
    {
        FromVersion = fromVersion;
        ToVersion = toVersion;
    }

    /// <summary>The version the failing step started from.</summary>
    public int FromVersion { get; }

    /// <summary>The version the failing step was to produce.</summary>
    public int ToVersion { get; }

    internal override StateSchemaException At(StateOwner owner, string key) => new StateMigrationException(StateType, FromVersion, ToVersion, InnerException!, owner, key);
}
