namespace TypedState;

/// <summary>
/// A stored document carries a schema version newer than the state type in this build: it was written by a newer
/// build. It is never downgraded; the record is left unchanged.
/// </summary>
public sealed class StateSchemaTooNewException : StateSchemaException
{
    /// <summary>Creates the exception.</summary>
    public StateSchemaTooNewException(Type stateType, int storedVersion, int codeVersion, StateOwner? owner = null, string? key = null)
        : base(
            $"The stored {stateType.Name} has schema version {storedVersion}, newer than version {codeVersion} of this build: it was written by a newer build and is left unchanged (never downgraded).",
            stateType,
            owner,
            key,
            null)
    {
        StoredVersion = storedVersion;
        CodeVersion = codeVersion;
    }

    /// <summary>The schema version found in the stored document.</summary>
    public int StoredVersion { get; }

    /// <summary>The schema version the state type declares in this build.</summary>
    public int CodeVersion { get; }

    internal override StateSchemaException At(StateOwner owner, string key) => new StateSchemaTooNewException(StateType, StoredVersion, CodeVersion, owner, key);
}
