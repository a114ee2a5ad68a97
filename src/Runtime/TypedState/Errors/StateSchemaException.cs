namespace TypedState;

/// <summary>
/// A stored document of a generated state type could not be brought to the type's schema version: it is newer
/// than the code (<see cref="StateSchemaTooNewException"/>) or a migration step failed
/// (<see cref="StateMigrationException"/>). The stored record is left unchanged.
/// </summary>
public abstract class StateSchemaException : StateException
{
    private protected StateSchemaException(string message, Type stateType, StateOwner? owner, string? key, Exception? innerException)
        : base(message, owner, key, innerException)
    {
        StateType = stateType;
    }

    /// <summary>The state type being read.</summary>
    public Type StateType { get; }

    /// <summary>The same error located at a record (the serializer does not know where the bytes came from).</summary>
    internal abstract StateSchemaException At(StateOwner owner, string key);
}
