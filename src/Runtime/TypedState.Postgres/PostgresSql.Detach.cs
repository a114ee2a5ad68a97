namespace TypedState.Postgres;

// The statements of a detach (named parameters: @guild the fork, @at its fork point, @parent its source). They run in
// one explicit transaction under the fork's exclusive advisory lock and its timeline row lock
// (PostgresStateDriver.Detach.cs), so a detach is whole or not at all; no function of the storage layout is needed.
internal sealed partial class PostgresSql
{
    /// <summary>The fork's timeline row, locked: forks of it wait, and so does a prune or removal that reads it.</summary>
    private const string LockTimelineTemplate = "SELECT " + TimelineColumns + " FROM {s}.timelines WHERE guild_id = @guild FOR UPDATE";

    /// <summary>A fork of the guild forked below @at: it reads the guild's source through the guild there.</summary>
    private const string ForkBelowTemplate =
        "SELECT guild_id, fork_sequence FROM {s}.timelines WHERE parent = @guild AND fork_sequence < @at ORDER BY guild_id LIMIT 1";

    /// <summary>
    /// The changes the fork reads through its source chain as of @at, copied into its own entries at their sequences
    /// (all at or below @at, below its own): per record, the latest set or delete at the shallowest level holding one
    /// above the owner's latest removal there, a level with a removal hiding the deeper ones, as <c>list_as_of</c> reads.
    /// </summary>
    private const string CopyInheritedEntriesTemplate =
        """
        WITH RECURSIVE chain(depth, guild_id, hi) AS (
            SELECT 0, @parent::text COLLATE "C", @at::bigint
            UNION ALL
            SELECT c.depth + 1, t.parent, least(c.hi, t.fork_sequence) FROM chain c JOIN {s}.timelines t ON t.guild_id = c.guild_id WHERE t.parent IS NOT NULL),
        removals AS (
            SELECT c.depth, e.scope, e.agent_id, max(e.seq) AS removed
            FROM chain c JOIN {s}.timeline_entries e ON e.guild_id = c.guild_id AND e.kind = 3 AND e.seq <= c.hi
            GROUP BY c.depth, e.scope, e.agent_id),
        changes AS (
            SELECT DISTINCT ON (e.scope, e.agent_id, e.key) e.seq, e.kind, e.scope, e.agent_id, e.key, e.previous_version, e.version,
                   e.value, e.value_bytes, e.commit_id, e.committed_at
            FROM chain c JOIN {s}.timeline_entries e ON e.guild_id = c.guild_id AND e.kind IN (0, 1) AND e.seq <= c.hi
            WHERE e.seq > coalesce((SELECT r.removed FROM removals r WHERE r.depth = c.depth AND r.scope = e.scope AND r.agent_id = e.agent_id), 0)
              AND NOT EXISTS (SELECT 1 FROM removals r WHERE r.depth < c.depth AND r.scope = e.scope AND r.agent_id = e.agent_id)
            ORDER BY e.scope, e.agent_id, e.key, c.depth, e.seq DESC)
        INSERT INTO {s}.timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at)
        SELECT @guild, x.seq, x.kind, x.scope, x.agent_id, x.key, x.previous_version, x.version, x.value, x.value_bytes, x.commit_id, x.committed_at
        FROM changes x
        """;

    /// <summary>
    /// The copied changes become the fork's rows (a delete a tombstone) where it has none of its own, except for agents
    /// it removed, which read nothing through.
    /// </summary>
    private const string CopyInheritedRecordsTemplate =
        "INSERT INTO {s}.records AS r " + Columns + " SELECT e.scope, e.guild_id, e.agent_id, e.key, CASE WHEN e.kind = 0 THEN e.value END, " +
        "CASE WHEN e.kind = 0 THEN e.value_bytes END, e.version FROM {s}.timeline_entries e " +
        "WHERE e.guild_id = @guild AND e.seq <= @at AND e.kind IN (0, 1) AND NOT {s}.removed_in(@guild, e.scope, e.agent_id) " +
        "ON CONFLICT " + RecordIndex + " DO NOTHING";

    /// <summary>The snapshots and pins below the old fork point go with the history before it.</summary>
    private const string DropBelowForkPointTemplate =
        "WITH s AS (DELETE FROM {s}.timeline_snapshots WHERE guild_id = @guild AND seq < @at) DELETE FROM {s}.timeline_pins WHERE guild_id = @guild AND seq < @at";

    /// <summary>The link goes; the history is readable from the old fork point on.</summary>
    private const string DetachTimelineTemplate =
        "UPDATE {s}.timelines SET parent = NULL, fork_sequence = 0, retained_from = greatest(retained_from, @at) WHERE guild_id = @guild RETURNING " + TimelineColumns;

    public string LockTimeline { get; private set; } = "";

    public string ForkBelow { get; private set; } = "";

    public string CopyInheritedEntries { get; private set; } = "";

    public string CopyInheritedRecords { get; private set; } = "";

    public string DropBelowForkPoint { get; private set; } = "";

    public string DetachTimeline { get; private set; } = "";

    private void BuildDetachStatements()
    {
        LockTimeline = Build(LockTimelineTemplate);
        ForkBelow = Build(ForkBelowTemplate);
        CopyInheritedEntries = Build(CopyInheritedEntriesTemplate);
        CopyInheritedRecords = Build(CopyInheritedRecordsTemplate);
        DropBelowForkPoint = Build(DropBelowForkPointTemplate);
        DetachTimeline = Build(DetachTimelineTemplate);
    }
}
