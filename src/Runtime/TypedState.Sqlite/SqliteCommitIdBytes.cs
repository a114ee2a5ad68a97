using TypedState.Storage;

namespace TypedState.Sqlite;

/// <summary>
/// The two byte orders of a commit id's 16 bytes. <c>typedstate_commits</c> keys its rows by the RFC 9562 order
/// (storage layout 8), in which a version 7 id begins with its timestamp, so new ids land at the right edge of the
/// b-tree; the entries of a logged commit keep the order of <see cref="Guid.ToByteArray()"/> (layouts 3 to 7), which
/// swaps the first three fields and so scatters the timestamp, and are indexed through <see cref="Swap"/>.
/// </summary>
internal static class SqliteCommitIdBytes
{
    /// <summary>Writes <paramref name="id"/> into <paramref name="destination"/> (16 bytes) in RFC 9562 (network) byte order.</summary>
    public static void WriteOrdered(CommitId id, Span<byte> destination) => id.Value.TryWriteBytes(destination, bigEndian: true, out _);

    /// <summary>
    /// SQL turning the 16 bytes in <paramref name="column"/> from one byte order into the other (the swap is its own
    /// inverse): the first field's four bytes reversed, then the next two fields' two bytes each, the last eight kept.
    /// </summary>
    public static string Swap(string column) =>
        $"CAST(substr({column}, 4, 1) || substr({column}, 3, 1) || substr({column}, 2, 1) || substr({column}, 1, 1) || " +
        $"substr({column}, 6, 1) || substr({column}, 5, 1) || substr({column}, 8, 1) || substr({column}, 7, 1) || substr({column}, 9) AS BLOB)";
}
