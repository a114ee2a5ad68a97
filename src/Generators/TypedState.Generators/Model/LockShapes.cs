namespace TypedState.Generators.Model;

/// <summary>
/// The lock entries of every state type the compilation generates, sorted by id. <paramref name="Complete"/>: every
/// annotated type was generated; when one has errors of its own, an entry the code does not match may be that type's,
/// so it is kept rather than reported.
/// </summary>
internal sealed record LockShapes(EquatableArray<LockEntry> Entries, bool Complete);
