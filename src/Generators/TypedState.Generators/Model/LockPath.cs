using System;

namespace TypedState.Generators.Model;

/// <summary>
/// One stored member path of a state type in the schema lock file, such as <c>prefs.language</c> or <c>calls[]&lt;web_search&gt;.query</c>,
/// and its <paramref name="Kind"/>: the JSON it is stored as (<c>int32</c>, <c>string</c>, <c>array</c>, <c>object</c>,
/// <c>enum-string</c>, ...), <c>?</c> when it may be null, prefixed <c>required </c> when a document must have it.
/// </summary>
internal sealed record LockPath(string Path, string Kind) : IComparable<LockPath>
{
    /// <summary>Paths sort ordinally, so the file's order is stable and one added member is one added line.</summary>
    public int CompareTo(LockPath? other) => string.CompareOrdinal(Path, other?.Path);
}
