namespace TypedState.Sqlite;

/// <summary>
/// The statements of storage layout 5: whole-guild snapshots (opaque documents the core builds, one per guild and
/// sequence) and pinned replay points, both keyed by (guild, sequence) and removed with their guild's timeline.
/// </summary>
internal static class SqliteSnapshotSql
{
    /// <summary>Layout 5: snapshots and pins.</summary>
    /// <remarks>
    /// Snapshots are a rowid table: a document can span many pages, which a WITHOUT ROWID b-tree would carry in its
    /// interior ordering; pins are tiny rows, so their key is the table.
    /// </remarks>
    public const string CreateTables =
        """
        CREATE TABLE typedstate_snapshots (
            guild_id TEXT    NOT NULL,
            seq      INTEGER NOT NULL, -- the sequence the snapshot holds the guild's state as of
            document BLOB    NOT NULL, -- the core's snapshot document, stored as handed over
            PRIMARY KEY (guild_id, seq)
        );
        CREATE TABLE typedstate_pins (
            guild_id TEXT    NOT NULL,
            seq      INTEGER NOT NULL, -- a pinned replay point: pruning keeps the state as of it readable
            PRIMARY KEY (guild_id, seq)
        ) WITHOUT ROWID
        """;

    public const string SaveSnapshot =
        "INSERT INTO typedstate_snapshots (guild_id, seq, document) VALUES ($guild, $seq, $document) " +
        "ON CONFLICT (guild_id, seq) DO UPDATE SET document = excluded.document";

    /// <summary>A page of the guild's snapshot sequences below $before, newest first.</summary>
    public const string ListSnapshots =
        "SELECT seq FROM typedstate_snapshots WHERE guild_id = $guild AND seq < $before ORDER BY seq DESC LIMIT $limit";

    public const string ReadSnapshot = "SELECT document FROM typedstate_snapshots WHERE guild_id = $guild AND seq = $seq";

    /// <summary>A prune keeps the snapshot at the horizon (the state there stays readable) and drops those below.</summary>
    public const string PruneSnapshots = "DELETE FROM typedstate_snapshots WHERE guild_id = $guild AND seq < $horizon";

    public const string DeleteSnapshots = "DELETE FROM typedstate_snapshots WHERE guild_id = $guild";

    /// <summary>Pinning a pinned sequence changes nothing.</summary>
    public const string Pin = "INSERT INTO typedstate_pins (guild_id, seq) VALUES ($guild, $seq) ON CONFLICT (guild_id, seq) DO NOTHING";

    public const string Unpin = "DELETE FROM typedstate_pins WHERE guild_id = $guild AND seq = $seq";

    /// <summary>A page of the guild's pins above $after, ascending.</summary>
    public const string ListPins = "SELECT seq FROM typedstate_pins WHERE guild_id = $guild AND seq > $after ORDER BY seq LIMIT $limit";

    /// <summary>A detach drops the pins below the old fork point, whose states it drops.</summary>
    public const string PrunePins = "DELETE FROM typedstate_pins WHERE guild_id = $guild AND seq < $horizon";

    public const string DeletePins = "DELETE FROM typedstate_pins WHERE guild_id = $guild";

    /// <summary>
    /// How low a prune of the guild may go: the lowest pin or fork point of a live fork, whichever is lower (no row
    /// when neither exists: the NULL of a side without any is skipped).
    /// </summary>
    public const string LowestKeptPoint =
        "SELECT point FROM (SELECT min(seq) AS point FROM typedstate_pins WHERE guild_id = $guild " +
        "UNION ALL SELECT min(fork_sequence) FROM typedstate_timelines WHERE parent_id = $guild) WHERE point IS NOT NULL ORDER BY point LIMIT 1";
}
