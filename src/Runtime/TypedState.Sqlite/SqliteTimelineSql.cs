namespace TypedState.Sqlite;

/// <summary>
/// The statements of guild timelines (storage layout 4). A timeline is one row of <c>typedstate_timelines</c>; its
/// entries are rows of <c>typedstate_entries</c> keyed by (guild, sequence). Reads as of a sequence search the
/// entries themselves through the index on (guild, owner, key, sequence): the last set or delete of a key at or below
/// the sequence is its state then, and an agent's removal is an entry under the empty key, which no record can have.
/// Entry kinds are the values of TimelineEntryKind (0 set, 1 delete, 2 append, 3 owner removal).
/// </summary>
internal static class SqliteTimelineSql
{
    /// <summary>Layout 4: the timelines, their entries, the index reads as of a sequence seek, and appended ids.</summary>
    public const string CreateTables =
        """
        CREATE TABLE typedstate_timelines (
            guild_id      TEXT    NOT NULL PRIMARY KEY,
            head          INTEGER NOT NULL, -- the sequence of the newest entry
            paused_at     INTEGER,          -- the head when paused; NULL while running
            parent_id     TEXT,             -- the guild this one was forked from, or NULL
            fork_sequence INTEGER NOT NULL, -- the parent's sequence it was forked at; 0 for a root
            retained_from INTEGER NOT NULL  -- the horizon of the last prune; 0 before any
        ) WITHOUT ROWID;
        CREATE INDEX typedstate_timelines_forks ON typedstate_timelines (parent_id, guild_id) WHERE parent_id IS NOT NULL;
        CREATE TABLE typedstate_entries (
            guild_id      TEXT    NOT NULL,
            seq           INTEGER NOT NULL,
            kind          INTEGER NOT NULL,
            scope         INTEGER NOT NULL, -- the owner: scope, and agent ('' for the guild owner); its guild is guild_id
            agent_id      TEXT    NOT NULL,
            key           TEXT    NOT NULL, -- the record key, the event id of an append, '' for an owner removal
            prev_version  INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            value         BLOB,             -- a set's value or an append's document; NULL otherwise
            commit_id     BLOB    NOT NULL, -- the CommitId's 16 bytes (zeros for none)
            timestamp     INTEGER NOT NULL, -- unix milliseconds
            PRIMARY KEY (guild_id, seq)
        );
        CREATE INDEX typedstate_entries_as_of ON typedstate_entries (guild_id, scope, agent_id, key, seq);
        CREATE UNIQUE INDEX typedstate_entries_event_ids ON typedstate_entries (guild_id, key) WHERE kind = 2
        """;

    /// <summary>
    /// A timeline's head: the sequence of its newest entry, one seek down the entries' primary key, or the head
    /// written down when higher (a fork's point, or a prune's, which may drop the entry at the head). A commit adds
    /// its entries and nothing else: no update of the timeline row.
    /// </summary>
    private const string Head =
        "max(head, coalesce((SELECT e.seq FROM typedstate_entries e WHERE e.guild_id = typedstate_timelines.guild_id ORDER BY e.seq DESC LIMIT 1), 0))";

    private const string TimelineColumns = "guild_id, " + Head + ", paused_at, parent_id, fork_sequence, retained_from";

    public const string ReadTimeline = "SELECT " + TimelineColumns + " FROM typedstate_timelines WHERE guild_id = $guild";

    /// <summary>The fork test of reads: the parent of the guild's timeline (NULL, or no row, for a guild that is not a fork).</summary>
    public const string ReadParent = "SELECT parent_id FROM typedstate_timelines WHERE guild_id = $guild";

    public const string AnyFork = "SELECT 1 FROM typedstate_timelines WHERE parent_id IS NOT NULL LIMIT 1";

    public const string ListAllForks = "SELECT " + TimelineColumns + " FROM typedstate_timelines WHERE parent_id IS NOT NULL ORDER BY guild_id";

    /// <summary>A page of the guild's forks after the fork id $after, in guild id order, down the index on (parent_id, guild_id).</summary>
    public const string ListForksPage =
        "SELECT " + TimelineColumns + " FROM typedstate_timelines WHERE parent_id = $guild AND guild_id > $after ORDER BY guild_id LIMIT $limit";

    public const string InsertTimeline =
        "INSERT INTO typedstate_timelines (guild_id, head, paused_at, parent_id, fork_sequence, retained_from) VALUES ($guild, $head, NULL, $parent, $fork, 0)";

    public const string Pause = "UPDATE typedstate_timelines SET paused_at = coalesce(paused_at, " + Head + ") WHERE guild_id = $guild";

    public const string Resume = "UPDATE typedstate_timelines SET paused_at = NULL WHERE guild_id = $guild";

    /// <summary>A prune's horizon, with the head it found (the entry at the head may be pruned; its sequence is never reused).</summary>
    public const string SetRetainedFrom = "UPDATE typedstate_timelines SET retained_from = $horizon, head = $head WHERE guild_id = $guild";

    public const string DeleteTimeline = "DELETE FROM typedstate_timelines WHERE guild_id = $guild";

    public const string DeleteEntries = "DELETE FROM typedstate_entries WHERE guild_id = $guild";

    /// <summary>Whether a guild (or any of its agents) holds a row, live or tombstone: a fork target must hold none.</summary>
    public const string GuildHoldsState = "SELECT 1 FROM typedstate_records WHERE scope IN (1, 2) AND guild_id = $guild LIMIT 1";

    /// <summary>
    /// Layout 7: a commit whose every write adds one entry to one timeline keeps its commit id there (SqliteLoggedCommits):
    /// its entries carry the batch's write count, and the ids of such entries are found through a partial index.
    /// </summary>
    public const string AddCommitWrites =
        """
        ALTER TABLE typedstate_entries ADD COLUMN commit_writes INTEGER; -- the batch's write count when the entry keeps its commit id; else NULL
        CREATE INDEX typedstate_entries_commits ON typedstate_entries (commit_id) WHERE commit_writes IS NOT NULL
        """;

    /// <summary>An entry's commit id in RFC 9562 byte order (layout 8): what the partial index on commit ids holds, so version 7 ids are added at its right edge.</summary>
    public static readonly string EntryCommitUuid = SqliteCommitIdBytes.Swap("commit_id");

    private const string LoggedCommitColumns = "SELECT commit_id, seq, kind, prev_version, version, commit_writes, timestamp FROM typedstate_entries WHERE commit_writes IS NOT NULL AND timestamp > $since AND ";

    /// <summary>The entries of an unexpired commit that kept its id in them (layout 7), through the partial index: $id in RFC 9562 order.</summary>
    public static readonly string FindLoggedCommit = LoggedCommitColumns + EntryCommitUuid + " = $id";

    /// <summary>The entries of the unexpired commits with an entry of the guild at or below $horizon: those a prune or removal may delete.</summary>
    public static readonly string LoggedCommitsUpTo =
        LoggedCommitColumns + EntryCommitUuid + " IN (SELECT " + EntryCommitUuid + " FROM typedstate_entries WHERE guild_id = $guild AND seq <= $horizon " +
        "AND commit_writes IS NOT NULL AND timestamp > $since)";

    public const string InsertEntry =
        "INSERT INTO typedstate_entries (guild_id, seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp, commit_writes) " +
        "VALUES ($guild, $seq, $kind, $scope, $agent, $key, $prev, $version, $value, $commit, $timestamp, $writes)";

    /// <summary>
    /// What a logged write to a guild that is no fork needs from the record's own row, one row always (an aggregate
    /// over at most one row): the version a new one continues from (the row's, a tombstone's included, or the guild's
    /// floor when there is no row) and the live version (0 for a tombstone or no row).
    /// </summary>
    public const string ReadOwnVersions =
        "SELECT coalesce(max(version), (SELECT version_floor FROM typedstate_guild_floors WHERE guild_id = $guild), 0), " +
        "coalesce(max(CASE WHEN value IS NOT NULL THEN version END), 0) FROM typedstate_records WHERE scope = $scope AND guild_id = $guild AND agent_id = $agent AND key = $key";

    /// <summary>A started timeline's first entries: the live records the guild and its agents hold, in owner and key order.</summary>
    public const string LogExistingRecords =
        "INSERT INTO typedstate_entries (guild_id, seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp) " +
        "SELECT guild_id, row_number() OVER (ORDER BY scope, agent_id, key), 0, scope, agent_id, key, 0, version, value, $commit, $timestamp " +
        "FROM typedstate_records WHERE scope IN (1, 2) AND guild_id = $guild AND value IS NOT NULL";

    private const string EntryColumns = "seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp";

    /// <summary>A page of entries in ($after, $upTo], in order.</summary>
    public const string ReadEntries =
        "SELECT " + EntryColumns + " FROM typedstate_entries WHERE guild_id = $guild AND seq > $after AND seq <= $upTo ORDER BY seq LIMIT $limit";

    /// <summary>The sequence an event id was appended at, at or below $upTo (through the unique partial index).</summary>
    public const string FindEvent = "SELECT seq FROM typedstate_entries WHERE guild_id = $guild AND key = $key AND kind = 2 AND seq <= $upTo";

    private const string EntryOwner = "guild_id = $guild AND scope = $scope AND agent_id = $agent";

    /// <summary>The owner's latest removal at or below $upTo (0 when none): the records before it are hidden.</summary>
    public const string RemovedAt =
        "SELECT coalesce(max(seq), 0) FROM typedstate_entries WHERE " + EntryOwner + " AND key = '' AND kind = 3 AND seq <= $upTo";

    /// <summary>Whether the owner was ever removed in this timeline (a fork then no longer reads it through its source).</summary>
    public const string EverRemoved = "SELECT 1 FROM typedstate_entries WHERE " + EntryOwner + " AND key = '' AND kind = 3 LIMIT 1";

    /// <summary>A key's state as of $upTo: its last set or delete at or below it, one seek down the as-of index.</summary>
    public const string ChangeAsOf =
        "SELECT seq, kind, value, version FROM typedstate_entries WHERE " + EntryOwner +
        " AND key = $key AND seq <= $upTo AND kind IN (0, 1) ORDER BY seq DESC LIMIT 1";

    // The bare columns of a max() aggregate come from the row holding the maximum (SQLite documents this).
    private const string ChangesAsOfHead =
        "SELECT key, max(seq), kind, value, version FROM typedstate_entries WHERE " + EntryOwner + " AND seq <= $upTo AND kind IN (0, 1) AND ";

    /// <summary>Every key's state as of $upTo, for keys in [$lower, $upper) or (unbounded) from $lower.</summary>
    public const string ChangesAsOfBounded = ChangesAsOfHead + "key >= $lower AND key < $upper GROUP BY key";

    public const string ChangesAsOfUnbounded = ChangesAsOfHead + "key >= $lower GROUP BY key";

    /// <summary>The owners with a set or delete at or below $upTo: the candidates a fork reads through.</summary>
    public const string OwnersAsOf =
        "SELECT DISTINCT scope, agent_id FROM typedstate_entries WHERE guild_id = $guild AND seq <= $upTo AND kind IN (0, 1)";

    /// <summary>
    /// Drops the entries at or below $horizon except the last set or delete of each key and the last removal of each
    /// agent there: the state at the horizon and after is read from them.
    /// </summary>
    public const string Prune =
        "DELETE FROM typedstate_entries WHERE guild_id = $guild AND seq <= $horizon AND seq NOT IN (" +
        "SELECT max(seq) FROM typedstate_entries WHERE guild_id = $guild AND seq <= $horizon AND kind IN (0, 1, 3) GROUP BY scope, agent_id, key)";

    /// <summary>The owner's own rows (live and tombstones) with keys in the range, for a fork's listing.</summary>
    public const string OwnRowsBounded =
        "SELECT key, value, version FROM typedstate_records WHERE scope = $scope AND guild_id = $guild AND agent_id = $agent AND key >= $lower AND key < $upper";

    public const string OwnRowsUnbounded =
        "SELECT key, value, version FROM typedstate_records WHERE scope = $scope AND guild_id = $guild AND agent_id = $agent AND key >= $lower";

    /// <summary>The owners of a guild holding rows of their own (live or tombstones).</summary>
    public const string OwnersWithRows = "SELECT DISTINCT scope, agent_id FROM typedstate_records WHERE scope IN (1, 2) AND guild_id = $guild";

    /// <summary>Writes a record (or a tombstone) with a version decided by the caller: logged and forked guilds.</summary>
    public const string Upsert =
        "INSERT INTO typedstate_records (scope, guild_id, agent_id, key, value, version) VALUES ($scope, $guild, $agent, $key, $value, $version) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET value = excluded.value, version = excluded.version";

    /// <summary>
    /// A detach's copy of one owner's changes at one level of the fork chain: each key's last set or delete at or below
    /// $upTo and above the level's removal ($removed), with its sequence, into the fork $fork, unless a shallower level
    /// gave the key already (the fork's entries at or below its point $point are only such copies).
    /// </summary>
    public const string CopyChangesAsOf =
        "INSERT INTO typedstate_entries (guild_id, seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp) " +
        "SELECT $fork, max(e.seq), e.kind, e.scope, e.agent_id, e.key, e.prev_version, e.version, e.value, e.commit_id, e.timestamp " +
        "FROM typedstate_entries e WHERE e.guild_id = $guild AND e.scope = $scope AND e.agent_id = $agent AND e.seq <= $upTo AND e.seq > $removed " +
        "AND e.kind IN (0, 1) AND NOT EXISTS (SELECT 1 FROM typedstate_entries c WHERE c.guild_id = $fork AND c.scope = $scope AND c.agent_id = $agent " +
        "AND c.key = e.key AND c.seq <= $point) GROUP BY e.key";

    /// <summary>
    /// A detach's live copy: the records (and tombstones) copied at or below the fork point $horizon become rows of the
    /// fork where it has none of its own, except for agents it removed (they read nothing through).
    /// </summary>
    public const string CopyInheritedRecords =
        "INSERT INTO typedstate_records (scope, guild_id, agent_id, key, value, version) " +
        "SELECT e.scope, e.guild_id, e.agent_id, e.key, CASE WHEN e.kind = 0 THEN e.value END, e.version FROM typedstate_entries e " +
        "WHERE e.guild_id = $guild AND e.seq <= $horizon AND e.kind IN (0, 1) AND NOT EXISTS (SELECT 1 FROM typedstate_entries r " +
        "WHERE r.guild_id = $guild AND r.scope = e.scope AND r.agent_id = e.agent_id AND r.key = '' AND r.kind = 3) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO NOTHING";

    /// <summary>A fork of the guild forked below $horizon (the guild's own fork point): it reads the guild's source through it.</summary>
    public const string ForkBelow =
        "SELECT guild_id, fork_sequence FROM typedstate_timelines WHERE parent_id = $guild AND fork_sequence < $horizon ORDER BY guild_id LIMIT 1";

    /// <summary>The end of a detach: no source, and the history readable from the old fork point on.</summary>
    public const string Detach =
        "UPDATE typedstate_timelines SET parent_id = NULL, fork_sequence = 0, retained_from = max(retained_from, $horizon) WHERE guild_id = $guild";

    public const string ReadFloor = "SELECT version_floor FROM typedstate_guild_floors WHERE guild_id = $guild";

    public const string RaiseFloorTo =
        "INSERT INTO typedstate_guild_floors (guild_id, version_floor) VALUES ($guild, $floor) " +
        "ON CONFLICT (guild_id) DO UPDATE SET version_floor = max(version_floor, excluded.version_floor)";
}
