namespace TypedState.Generators.Model;

/// <summary>
/// The project's schema lock file as read: its <paramref name="Path"/>, its entries, or the <paramref name="Error"/> that
/// made it unreadable and where (then <paramref name="Entries"/> is empty).
/// </summary>
internal sealed record LockFile(string Path, EquatableArray<LockEntry> Entries, string? Error = null, LocationInfo? ErrorLocation = null);
