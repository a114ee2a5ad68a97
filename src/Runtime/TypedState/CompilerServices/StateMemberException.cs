using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// A document whose member a generated reader cannot accept (a required member missing, a JSON null for a struct). It
/// is thrown where the reader stands, which knows the part but not the path to it; the reader of the whole document
/// catches it and rebuilds the path by reading the document again up to <see cref="Offset"/>, so the usual read pays
/// nothing for the path.
/// </summary>
internal sealed class StateMemberException : JsonException
{
    private readonly string _problem;

    /// <summary>Creates the exception: <paramref name="problem"/> happened at the token starting at <paramref name="offset"/>.</summary>
    /// <param name="problem">What is wrong, a sentence without the path.</param>
    /// <param name="offset">Where the reader stood, in bytes from the start of the document.</param>
    /// <param name="member">The JSON name of a missing member, appended to the path of the object that lacks it.</param>
    public StateMemberException(string problem, long offset, string? member)
        : base(problem)
    {
        _problem = problem;
        Offset = offset;
        Member = member;
    }

    /// <summary>The byte offset of the token the reader stood on (the null value, or the end of the object missing a member).</summary>
    public long Offset { get; }

    /// <summary>The missing member's JSON name, or null when the token itself is the problem.</summary>
    public string? Member { get; }

    /// <summary>The same problem with the member path found by reading <paramref name="document"/> (a reader on the document's first token) again.</summary>
    public JsonException WithPath(Utf8JsonReader document)
    {
        var path = StateJsonPath.At(document, Offset, Member);
        return new JsonException($"{_problem} (at {path}).", path, null, null, this);
    }
}
