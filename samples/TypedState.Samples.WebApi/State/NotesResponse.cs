namespace TypedState.Samples.WebApi.State;

/// <summary>An agent's notes and the version of the record they were read from (0: nothing stored yet).</summary>
/// <param name="Notes">The notes, oldest first.</param>
/// <param name="Version">The record's version.</param>
public sealed record NotesResponse(IReadOnlyList<string> Notes, long Version);
