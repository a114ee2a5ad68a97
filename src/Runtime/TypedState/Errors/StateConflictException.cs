namespace TypedState;

/// <summary>An optimistic write found a different version than it expected; nothing of its batch was applied.</summary>
public sealed class StateConflictException : StateException
{
    /// <summary>Creates the exception.</summary>
    public StateConflictException(StateOwner owner, string key, long? expectedVersion, long actualVersion)
        : base(Describe(expectedVersion, actualVersion), owner, key)
    {
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The version the write expected (0: absent).</summary>
    public long? ExpectedVersion { get; }

    /// <summary>The version found (0: absent).</summary>
    public long ActualVersion { get; }

    private static string Describe(long? expected, long actual)
    {
        static string Name(long v) => v == 0 ? "no record" : $"version {v}";
        return $"Version conflict: expected {(expected is { } e ? Name(e) : "any version")}, found {Name(actual)}.";
    }
}
