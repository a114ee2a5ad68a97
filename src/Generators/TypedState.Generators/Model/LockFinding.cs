namespace TypedState.Generators.Model;

/// <summary>
/// One finding of the schema lock check, as plain values: the entry <paramref name="Id"/>, C# <paramref name="TypeName"/>
/// and <paramref name="Version"/> (the code's), what changed, the member <paramref name="Path"/> (empty for the type itself), the <paramref name="Before"/> and
/// <paramref name="After"/> (kinds, paths or versions, by change) and the JSON name of the state type's own member that
/// holds the path (<paramref name="Member"/>, where the diagnostic goes; null for the type's location).
/// <paramref name="Location"/>: for findings about the lock file itself, where in it.
/// </summary>
internal sealed record LockFinding(
    string Id,
    string TypeName,
    int Version,
    LockChange Change,
    string Path,
    string Before,
    string After,
    string? Member,
    LocationInfo? Location = null)
{
    /// <summary>Breaking changes are errors; the others only mean the lock file is to be updated.</summary>
    public bool Breaking => Change <= LockChange.VersionLowered;
}
