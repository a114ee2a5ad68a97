namespace TypedState.Generators.Model;

/// <summary>
/// What the schema lock check gives: its <paramref name="Findings"/>, the lock file's path (null when the project has
/// none), the file's text as the update would write it (<paramref name="Proposal"/>: the code's entries, except that a
/// type with a breaking change keeps its old entry) and whether the build asked for that update
/// (<paramref name="UpdateRequested"/>, <c>-p:TypedStateUpdateLock=true</c>).
/// </summary>
internal sealed record LockCheck(EquatableArray<LockFinding> Findings, string? LockFilePath, string Proposal, bool UpdateRequested);
