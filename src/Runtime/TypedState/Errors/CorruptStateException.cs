namespace TypedState;

/// <summary>
/// A stored value could not be read as the requested type (invalid JSON or the wrong shape). The record is left
/// as it is and the other records stay readable.
/// </summary>
public sealed class CorruptStateException : StateException
{
    /// <summary>Creates the exception.</summary>
    public CorruptStateException(StateOwner owner, string key, long version, Type targetType, Exception innerException)
        : base($"The stored value (version {version}) is not valid JSON for {targetType.Name}: {innerException.Message}", owner, key, innerException)
    {
        Version = version;
        TargetType = targetType;
    }

    /// <summary>The version of the unreadable record.</summary>
    public long Version { get; }

    /// <summary>The type the value was read as.</summary>
    public Type TargetType { get; }
}
