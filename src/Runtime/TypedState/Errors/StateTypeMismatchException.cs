namespace TypedState;

/// <summary>
/// A stored value is well-formed JSON but does not fit the type it was read as (a number read as a string, an
/// array where an object is expected, a number out of the type's range). Nothing is corrupt: the record is intact
/// and readable as raw JSON or as the type that wrote it. Truly unreadable bytes are a <see cref="CorruptStateException"/>.
/// </summary>
public sealed class StateTypeMismatchException : StateException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="owner">The owner of the record.</param>
    /// <param name="key">The key of the record.</param>
    /// <param name="version">The version of the record.</param>
    /// <param name="targetType">The type the value was read as.</param>
    /// <param name="jsonPath">Where in the document the value does not fit, in System.Text.Json's notation (<c>$.plan.steps[2]</c>).</param>
    /// <param name="innerException">The serializer's error.</param>
    public StateTypeMismatchException(StateOwner owner, string key, long version, Type targetType, string jsonPath, Exception innerException)
        : base($"The stored value (version {version}) is JSON that does not fit {targetType.Name} at {jsonPath}: {innerException?.Message}", owner, key, innerException)
    {
        ArgumentNullException.ThrowIfNull(targetType);
        ArgumentNullException.ThrowIfNull(jsonPath);
        Version = version;
        TargetType = targetType;
        JsonPath = jsonPath;
    }

    /// <summary>The version of the record.</summary>
    public long Version { get; }

    /// <summary>The type the value was read as.</summary>
    public Type TargetType { get; }

    /// <summary>Where in the document the value does not fit, such as <c>$</c> or <c>$.count</c>.</summary>
    public string JsonPath { get; }
}
