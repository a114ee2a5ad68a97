namespace TypedState.Sqlite;

/// <summary>
/// Every statement the driver runs, in one place. Records live in one table keyed by (scope, guild, agent, key);
/// a NULL value is a tombstone that keeps a deleted key's version so a re-created key never reuses one. A record
/// created where no row exists starts above its guild's version floor, raised by owner removal.
/// Prefixes are matched as key ranges (see StateKeyOrder.PrefixUpperBound), never with LIKE or GLOB, so no
/// character in a key has a special meaning.
/// </summary>
internal static class SqliteSql
{
    /// <summary>The storage layout version (the version of these tables) this driver writes and understands.</summary>
    public const int LayoutVersion = 8;

    // The layout version lives in the table typedstate_schema: the name existing files carry, so it stays.
    public const string CreateLayoutVersionTable =
        "CREATE TABLE IF NOT EXISTS typedstate_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";

    public const string ReadLayoutVersion = "SELECT version FROM typedstate_schema WHERE id = 1";

    public const string WriteLayoutVersion =
        "INSERT INTO typedstate_schema (id, version) VALUES (1, $version) ON CONFLICT (id) DO UPDATE SET version = excluded.version";

    public const string CreateRecordsTable =
        """
        CREATE TABLE typedstate_records (
            scope    INTEGER NOT NULL,
            guild_id TEXT    NOT NULL,
            agent_id TEXT    NOT NULL,
            key      TEXT    NOT NULL,
            value    BLOB,
            version  INTEGER NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id, key)
        )
        """;

    /// <summary>
    /// Layout 8: <c>typedstate_commits</c> rebuilt as one b-tree keyed by <c>uuid</c>, the id in RFC 9562 byte order
    /// (the earlier key swapped), with no index on the expiry (SqliteCommitPruner sweeps the key order instead) and the
    /// earlier byte order kept readable as the virtual column <c>id</c>; and the partial index of the entries' ids
    /// rebuilt on their RFC 9562 order, as <see cref="SqliteTimelineSql.FindLoggedCommit"/> seeks it.
    /// </summary>
    private static readonly string s_orderCommitIds =
        $$"""
        CREATE TABLE typedstate_commits_8 (
            uuid       BLOB    NOT NULL PRIMARY KEY, -- the CommitId's 16 bytes in RFC 9562 order: version 7 ids sort by time
            versions   BLOB    NOT NULL,             -- the versions the batch returned, 8 bytes each, little-endian
            expires_at INTEGER NOT NULL,             -- unix milliseconds
            id         BLOB    GENERATED ALWAYS AS ({{SqliteCommitIdBytes.Swap("uuid")}}) VIRTUAL -- the byte order of layouts 3 to 7 (Guid.ToByteArray)
        ) WITHOUT ROWID;
        INSERT INTO typedstate_commits_8 (uuid, versions, expires_at) SELECT {{SqliteCommitIdBytes.Swap("id")}}, versions, expires_at FROM typedstate_commits;
        DROP TABLE typedstate_commits;
        ALTER TABLE typedstate_commits_8 RENAME TO typedstate_commits;
        DROP INDEX typedstate_entries_commits;
        CREATE INDEX typedstate_entries_commits ON typedstate_entries ({{SqliteTimelineSql.EntryCommitUuid}}) WHERE commit_writes IS NOT NULL
        """;

    /// <summary>Layout upgrades by the layout version they produce; index 0 builds version 1 (declared after what it holds: static fields initialise in order).</summary>
    public static readonly string[] LayoutUpgrades =
    [
        CreateRecordsTable,
        """
        CREATE TABLE typedstate_locks (
            scope      INTEGER NOT NULL,
            guild_id   TEXT    NOT NULL,
            agent_id   TEXT    NOT NULL,
            resource   TEXT    NOT NULL, -- the locked key, or '' for the whole owner
            token      INTEGER NOT NULL, -- the newest fencing token granted on this resource
            expires_at INTEGER NOT NULL, -- unix milliseconds; 0 once released
            PRIMARY KEY (scope, guild_id, agent_id, resource)
        )
        """,
        CreateCommitsTable + ";" + CreateGuildFloorsTable,
        SqliteTimelineSql.CreateTables,
        SqliteSnapshotSql.CreateTables,

        // Layout 6: who holds each lock; NULL for locks granted before (they expire within their lease).
        "ALTER TABLE typedstate_locks ADD COLUMN holder TEXT",

        // Layout 7: a logged commit keeps its commit id in its entries, with no row of typedstate_commits.
        SqliteTimelineSql.AddCommitWrites,

        // Layout 8: commit ids keyed in RFC 9562 byte order, so time-ordered ids are added at the right edge.
        s_orderCommitIds,
    ];

    /// <summary>Applied commit ids (layout 3; rebuilt keyed in RFC 9562 byte order by layout 8): a repeated batch finds its first result here (SqliteCommitMemory).</summary>
    public const string CreateCommitsTable =
        """
        CREATE TABLE typedstate_commits (
            id         BLOB    NOT NULL PRIMARY KEY, -- the CommitId's 16 bytes
            versions   BLOB    NOT NULL,             -- the versions the batch returned, 8 bytes each, little-endian
            expires_at INTEGER NOT NULL              -- unix milliseconds
        ) WITHOUT ROWID;
        CREATE INDEX typedstate_commits_expiry ON typedstate_commits (expires_at)
        """;

    /// <summary>The highest version removed with an owner of each guild (layout 3); no row means 0.</summary>
    public const string CreateGuildFloorsTable =
        """
        CREATE TABLE typedstate_guild_floors (
            guild_id      TEXT    NOT NULL PRIMARY KEY,
            version_floor INTEGER NOT NULL
        ) WITHOUT ROWID
        """;

    private const string Record = "scope = $scope AND guild_id = $guild AND agent_id = $agent AND key = $key";

    /// <summary>A record's row, live or tombstone (a NULL value): in a fork a tombstone hides what its source holds.</summary>
    public const string Read = "SELECT value, version FROM typedstate_records WHERE " + Record;

    public const string LiveVersion = "SELECT version FROM typedstate_records WHERE " + Record + " AND value IS NOT NULL";

    /// <summary>The version a record created where no row exists starts at: one above its guild's floor.</summary>
    private const string FirstVersion = "coalesce((SELECT version_floor FROM typedstate_guild_floors WHERE guild_id = $guild), 0) + 1";

    public const string SetAny =
        "INSERT INTO typedstate_records (scope, guild_id, agent_id, key, value, version) VALUES ($scope, $guild, $agent, $key, $value, " + FirstVersion + ") " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET value = excluded.value, version = typedstate_records.version + 1 " +
        "RETURNING version";

    public const string SetIfAbsent =
        "INSERT INTO typedstate_records (scope, guild_id, agent_id, key, value, version) VALUES ($scope, $guild, $agent, $key, $value, " + FirstVersion + ") " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET value = excluded.value, version = typedstate_records.version + 1 " +
        "WHERE typedstate_records.value IS NULL RETURNING version";

    public const string SetIfVersion =
        "UPDATE typedstate_records SET value = $value, version = version + 1 WHERE " + Record +
        " AND value IS NOT NULL AND version = $expected RETURNING version";

    public const string DeleteAny =
        "UPDATE typedstate_records SET value = NULL, version = version + 1 WHERE " + Record + " AND value IS NOT NULL RETURNING version - 1";

    public const string DeleteIfVersion =
        "UPDATE typedstate_records SET value = NULL, version = version + 1 WHERE " + Record +
        " AND value IS NOT NULL AND version = $expected RETURNING version - 1";

    private const string ListHead =
        "SELECT key, value, version FROM typedstate_records WHERE scope = $scope AND guild_id = $guild AND agent_id = $agent AND value IS NOT NULL AND ";

    private const string ListTail = " ORDER BY key LIMIT $limit";

    /// <summary>Listing pages: [first page | later page] × [bounded prefix | empty prefix].</summary>
    public const string ListFirstBounded = ListHead + "key >= $lower AND key < $upper" + ListTail;

    public const string ListNextBounded = ListHead + "key > $lower AND key < $upper" + ListTail;

    public const string ListFirstUnbounded = ListHead + "key >= $lower" + ListTail;

    public const string ListNextUnbounded = ListHead + "key > $lower" + ListTail;

    /// <summary>
    /// The owners of a scope holding a live record, one page after a (guild, agent) cursor. The primary key's
    /// (scope, guild_id, agent_id) prefix gives the order (BINARY collation: UTF-8 bytes, so code points) and the
    /// row-value range, so no extra index is needed and DISTINCT needs no temporary b-tree.
    /// </summary>
    private const string OwnersHead =
        "SELECT DISTINCT guild_id, agent_id FROM typedstate_records WHERE scope = $scope AND value IS NOT NULL";

    private const string OwnersTail = " ORDER BY guild_id, agent_id LIMIT $limit";

    /// <summary>Owner listing pages: the first, and those after the cursor ($guild, $agent).</summary>
    public const string ListOwnersFirst = OwnersHead + OwnersTail;

    public const string ListOwnersNext = OwnersHead + " AND (guild_id, agent_id) > ($guild, $agent)" + OwnersTail;

    private const string LockOwner = "scope = $scope AND guild_id = $guild AND agent_id = $agent";

    /// <summary>A held lock that conflicts with a key lock: the owner lock or the same key's lock.</summary>
    public const string KeyLockConflict =
        "SELECT 1 FROM typedstate_locks WHERE " + LockOwner + " AND resource IN ('', $resource) AND expires_at > $now LIMIT 1";

    /// <summary>A held lock that conflicts with an owner lock: any lock of the owner.</summary>
    public const string OwnerLockConflict = "SELECT 1 FROM typedstate_locks WHERE " + LockOwner + " AND expires_at > $now LIMIT 1";

    /// <summary>Lock rows are never deleted, so the owner's newest token only grows.</summary>
    public const string NextLockToken = "SELECT coalesce(max(token), 0) + 1 FROM typedstate_locks WHERE " + LockOwner;

    public const string GrantLock =
        "INSERT INTO typedstate_locks (scope, guild_id, agent_id, resource, token, expires_at, holder) VALUES ($scope, $guild, $agent, $resource, $token, $expires, $holder) " +
        "ON CONFLICT (scope, guild_id, agent_id, resource) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, holder = excluded.holder";

    public const string RenewLock =
        "UPDATE typedstate_locks SET expires_at = $expires WHERE " + LockOwner + " AND resource = $resource AND token = $token AND expires_at > $now RETURNING token";

    public const string ReleaseLock =
        "UPDATE typedstate_locks SET expires_at = 0 WHERE " + LockOwner + " AND resource = $resource AND token = $token";

    /// <summary>
    /// Held locks in primary key order (the owner lock's '' first), one page after a cursor: [first | next] ×
    /// [every scope | one scope]. Released locks have expires_at 0, so the lease test drops them too.
    /// </summary>
    private const string HeldLocksHead = "SELECT scope, guild_id, agent_id, resource, token, expires_at, holder FROM typedstate_locks WHERE expires_at > $now";

    private const string HeldLocksTail = " ORDER BY scope, guild_id, agent_id, resource LIMIT $limit";

    public const string ListLocksFirst = HeldLocksHead + HeldLocksTail;

    public const string ListLocksNext = HeldLocksHead + " AND (scope, guild_id, agent_id, resource) > ($scope, $guild, $agent, $resource)" + HeldLocksTail;

    public const string ListScopeLocksFirst = HeldLocksHead + " AND scope = $scope" + HeldLocksTail;

    public const string ListScopeLocksNext = HeldLocksHead + " AND scope = $scope AND (guild_id, agent_id, resource) > ($guild, $agent, $resource)" + HeldLocksTail;

    /// <summary>The newest token of a lock covering a key fence: the owner lock and the key's lock.</summary>
    public const string KeyFenceToken =
        "SELECT coalesce(max(token), 0) FROM typedstate_locks WHERE " + LockOwner + " AND resource IN ('', $resource)";

    /// <summary>The newest token of a lock covering an owner fence: every lock of the owner.</summary>
    public const string OwnerFenceToken = "SELECT coalesce(max(token), 0) FROM typedstate_locks WHERE " + LockOwner;

    private const string AgentRows = "scope = 1 AND guild_id = $guild AND agent_id = $agent";

    /// <summary>A guild's own records and those of its agents.</summary>
    private const string GuildRows = "scope IN (1, 2) AND guild_id = $guild";

    public const string RemoveAgent = "DELETE FROM typedstate_records WHERE " + AgentRows;

    public const string RemoveGuild = "DELETE FROM typedstate_records WHERE " + GuildRows;

    /// <summary>
    /// Raises the guild's floor to the highest version (records and tombstones) about to be removed; run before the
    /// DELETE, in its transaction. (The WHERE clause also keeps the upsert's ON from parsing as a join constraint.)
    /// </summary>
    private const string RaiseFloorHead =
        "INSERT INTO typedstate_guild_floors (guild_id, version_floor) SELECT $guild, max(version) FROM typedstate_records WHERE ";

    private const string RaiseFloorTail =
        " HAVING max(version) IS NOT NULL ON CONFLICT (guild_id) DO UPDATE SET version_floor = max(version_floor, excluded.version_floor)";

    public const string RaiseFloorForAgent = RaiseFloorHead + AgentRows + RaiseFloorTail;

    public const string RaiseFloorForGuild = RaiseFloorHead + GuildRows + RaiseFloorTail;

    /// <summary>
    /// The commit $id (16 bytes, RFC 9562 order: SqliteCommitIdBytes) remembered and unexpired at $now, one seek down
    /// the key: an expired id the prune has not reached yet is forgotten all the same.
    /// </summary>
    public const string FindCommit = "SELECT versions FROM typedstate_commits WHERE uuid = $id AND expires_at > $now";

    public const string RememberCommit = "INSERT INTO typedstate_commits (uuid, versions, expires_at) VALUES ($id, $versions, $expires)";

    /// <summary>As <see cref="RememberCommit"/>, for an id that may be remembered already (handed over from entries twice).</summary>
    public const string RememberCommitOnce = RememberCommit + " ON CONFLICT (uuid) DO NOTHING";

    /// <summary>The key of the last of the $limit rows after $after in key order (NULL past the last row): the end of the range a prune looks at (SqliteCommitPruner).</summary>
    public const string CommitRangeEnd = "SELECT max(uuid) FROM (SELECT uuid FROM typedstate_commits WHERE uuid > $after ORDER BY uuid LIMIT $limit)";

    /// <summary>The expired ids in the key range ($after, $end].</summary>
    public const string PruneCommitRange = "DELETE FROM typedstate_commits WHERE uuid > $after AND uuid <= $end AND expires_at <= $now";
}
