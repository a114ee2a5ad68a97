using System.Buffers.Binary;
using TypedState.Storage;

namespace TypedState.Sqlite;

/// <summary>
/// The applied commit ids of a database file, in <c>typedstate_commits</c>: written in the batch's own transaction
/// (so an id is remembered exactly when its batch was applied) and looked up under the write lock before a batch
/// applies, so a repeat sees the first attempt committed or not, never in between. Rows are keyed by the id in RFC 9562
/// byte order (layout 8), so the time-ordered ids of <see cref="CommitId.New"/> are added at the right edge of the
/// table's one b-tree. Expired ids are deleted now and then by the writer (<see cref="SqliteCommitPruner"/>).
/// </summary>
internal static class SqliteCommitMemory
{
    /// <summary>The versions the batch remembered under <paramref name="id"/> returned, or null (also once expired at <paramref name="now"/>, unix milliseconds).</summary>
    public static long[]? Find(SqliteSession session, CommitId id, long now)
    {
        var statement = session.Statement(SqliteSql.FindCommit);
        try
        {
            Span<byte> bytes = stackalloc byte[16];
            SqliteCommitIdBytes.WriteOrdered(id, bytes);
            statement.Bind("$id", bytes);
            statement.Bind("$now", now);
            return statement.Step() ? Decode(statement.Blob(0)) : null;
        }
        finally
        {
            statement.Reset();
        }
    }

    /// <summary>Remembers an applied batch's versions until <paramref name="expiresAt"/> (unix milliseconds).</summary>
    /// <param name="session">The write session, in the batch's transaction.</param>
    /// <param name="id">The batch's commit id.</param>
    /// <param name="versions">What the batch returned.</param>
    /// <param name="expiresAt">Unix milliseconds.</param>
    /// <param name="once">Whether the id may be remembered already (moved from entries twice), which then keeps it as it is.</param>
    public static void Remember(SqliteSession session, CommitId id, long[] versions, long expiresAt, bool once = false)
    {
        var statement = session.Statement(once ? SqliteSql.RememberCommitOnce : SqliteSql.RememberCommit);
        Span<byte> bytes = stackalloc byte[16];
        SqliteCommitIdBytes.WriteOrdered(id, bytes);
        statement.Bind("$id", bytes);
        var encoded = versions.Length <= 16 ? stackalloc byte[versions.Length * sizeof(long)] : new byte[versions.Length * sizeof(long)];
        for (var i = 0; i < versions.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(encoded[(i * sizeof(long))..], versions[i]);
        }

        statement.Bind("$versions", encoded);
        statement.Bind("$expires", expiresAt);
        statement.Execute();
        session.RememberedIds++;
    }

    private static long[] Decode(ReadOnlySpan<byte> bytes)
    {
        var versions = new long[bytes.Length / sizeof(long)];
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * sizeof(long))..]);
        }

        return versions;
    }
}
