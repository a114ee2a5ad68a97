namespace TypedState.Postgres;

// The statements of guild timelines (named parameters: none of them is on the hot path of a guild without one). The
// functions they call are created by storage layout 4 (PostgresSql.TimelineLayout.cs, PostgresSql.TimelineOperations.cs).
internal sealed partial class PostgresSql
{
    private const string TimelineColumns = "guild_id, head, paused_at, parent, fork_sequence, retained_from";

    /// <summary>
    /// What <see cref="Read"/> adds, in the same statement, when the owner's guild is a fork and has no row of its own
    /// for the record (a tombstone of its own hides the inherited record): the record read through its source at the
    /// fork point. So a guild forked by any process is read through from the next statement on, with no cache to go
    /// stale. A read runs it only when <see cref="ReadOwn"/> found the fork marker and no own row (a second round trip,
    /// whose statement decides on its own snapshot). The function takes the guild from the timelines row, which keeps it
    /// on the inner side of the join: it runs only for a fork.
    /// </summary>
    private const string ReadThroughFork =
        " UNION ALL SELECT i.value, i.value_bytes, i.version FROM {s}.timelines t CROSS JOIN LATERAL {s}.inherited(t.guild_id, @scope, @agent, @key) i " +
        "WHERE t.guild_id = @guild AND t.parent IS NOT NULL AND i.live AND NOT EXISTS (SELECT 1 FROM own)";

    /// <summary>
    /// The marker row <see cref="ReadOwn"/> adds, in the same statement, when the owner's guild is a fork: its version
    /// is NULL, which no record's is. Probing the timelines' primary key costs the server less than starting the
    /// read-through plan of <see cref="ReadThroughFork"/> (a function scan in a nested loop, set up for every execution
    /// even when it does not run), so a read of a guild that is not a fork, or of a key the fork holds, stops here.
    /// </summary>
    private const string ReadForkMarker = "SELECT NULL, NULL, NULL FROM {s}.timelines WHERE guild_id = @guild AND parent IS NOT NULL";

    /// <summary>
    /// The marker row a first listing page adds, in the same statement, when the owner's guild is a fork (version -1):
    /// the listing is then read through the fork's source.
    /// </summary>
    private const string ListForkMarker = "SELECT NULL, NULL, NULL, -1 FROM {s}.timelines WHERE guild_id = @guild AND parent IS NOT NULL";

    /// <summary>
    /// The guild's shared advisory lock of a commit that writes, positional ($1 the guild): the server names the lock
    /// as the driver's GuildLockName does, so no name is built per call. Followed by <see cref="RefuseLoggedGuildTemplate"/>.
    /// </summary>
    private const string LockWritingGuildTemplate = "SELECT pg_advisory_xact_lock_shared(1414725635, hashtext({schema} || chr(31) || $1))";

    /// <summary>
    /// The refusal of a guild that keeps a timeline (<see cref="GuildIsLogged"/>), after <see cref="LockWritingGuildTemplate"/>
    /// and in a statement of its own, so that its snapshot holds a timeline started before the lock was granted. The
    /// same as <c>lock_unlogged_guild</c> in two plain statements: the function (PL/pgSQL) runs only for a guild that
    /// keeps a timeline, to raise the error; a call costs about three times the two statements.
    /// </summary>
    private const string RefuseLoggedGuildTemplate = "SELECT {s}.lock_unlogged_guild(NULL, t.guild_id) FROM {s}.timelines t WHERE t.guild_id = $1";

    private const string ReadTimelineTemplate = "SELECT " + TimelineColumns + " FROM {s}.timelines WHERE guild_id = @guild";

    private const string StartTimelineTemplate = "SELECT {s}.start_timeline(@guild)";

    /// <summary>
    /// The timelines a logged commit writes to, row-locked in guild order until it ends: the lock orders the
    /// commits of a guild, so the head read here is the one the commit's entries follow.
    /// </summary>
    private const string LockTimelinesTemplate =
        "SELECT guild_id, head, paused_at, parent IS NOT NULL FROM {s}.timelines WHERE guild_id = ANY(@guilds) ORDER BY guild_id FOR UPDATE";

    private const string PauseTimelineTemplate =
        "UPDATE {s}.timelines SET paused_at = coalesce(paused_at, head) WHERE guild_id = @guild RETURNING " + TimelineColumns;

    private const string ResumeTimelineTemplate = "UPDATE {s}.timelines SET paused_at = NULL WHERE guild_id = @guild RETURNING " + TimelineColumns;

    private const string ForkTimelineTemplate = "SELECT {s}.fork_timeline(@source, @sequence, @guild)";

    /// <summary>A keyset page of a guild's forks, after @after (NULL for the first page), by the partial index on (parent, guild_id).</summary>
    private const string ListForksTemplate =
        "SELECT " + TimelineColumns + " FROM {s}.timelines WHERE parent = @guild AND (@after::text IS NULL OR guild_id > @after::text COLLATE \"C\") " +
        "ORDER BY guild_id LIMIT @limit";

    private const string PruneTimelineTemplate = "SELECT {s}.prune_timeline(@guild, @sequence)";

    private const string TimelineReadableTemplate = "SELECT {s}.timeline_readable(@guild, @sequence, @up_to_head)";

    /// <summary>A page of a guild's entries after a sequence: its own, and for a fork its sources' up to each fork point.</summary>
    private const string EntriesAfterTemplate =
        """
        WITH RECURSIVE chain(guild_id, lo, hi) AS (
            SELECT @guild::text COLLATE "C", @sequence::bigint, 9223372036854775807::bigint
            UNION ALL
            SELECT t.parent, c.lo, least(c.hi, t.fork_sequence) FROM chain c JOIN {s}.timelines t ON t.guild_id = c.guild_id
            WHERE t.parent IS NOT NULL AND c.lo < t.fork_sequence)
        SELECT e.seq, e.kind, e.scope, e.agent_id, e.key, e.previous_version, e.version, e.value, e.value_bytes, e.commit_id, e.committed_at
        FROM chain c JOIN {s}.timeline_entries e ON e.guild_id = c.guild_id AND e.seq > c.lo AND e.seq <= c.hi
        ORDER BY e.seq LIMIT @limit
        """;

    private const string RecordAsOfTemplate =
        "SELECT value, value_bytes, version FROM {s}.record_as_of(@guild, @scope, @agent, @key, @sequence) WHERE live";

    private const string ListAsOfTemplate =
        "SELECT key, value, value_bytes, version FROM {s}.list_as_of(@guild, @sequence, @scope, @agent, @lower, @upper) WHERE live";

    private const string ForkListTemplate = "SELECT key, value, value_bytes, version FROM {s}.fork_list(@guild, @scope, @agent, @lower, @upper)";

    private const string ForkOwnersTemplate = "SELECT guild_id, agent_id FROM {s}.fork_owners(@scope)";

    /// <summary>
    /// Copy on write: before a logged commit writes a fork's record it has no row of, the record it reads through its
    /// source (a tombstone included) is copied in, without an entry, so the write's condition and version continue it.
    /// </summary>
    private const string MaterializeTemplate =
        "WITH m AS (INSERT INTO {s}.records AS r " + Columns + " SELECT @scope, @guild, @agent, @key, i.value, i.value_bytes, i.version " +
        "FROM {s}.inherited(@guild, @scope, @agent, @key) i WHERE NOT EXISTS (SELECT 1 FROM {s}.records WHERE " + Record + ") " +
        "ON CONFLICT " + RecordIndex + " DO NOTHING RETURNING 1) SELECT count(*) FROM m";

    private const string AppendedAtTemplate = "SELECT {s}.appended_at(@guild, @key)";

    /// <summary>A logged commit's entries, as arrays in sequence order; values as records store them (jsonb text or bytes).</summary>
    private const string InsertEntriesTemplate =
        """
        INSERT INTO {s}.timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at)
        SELECT e.guild_id, e.seq, e.kind, e.scope, e.agent_id, e.key, e.previous_version, e.version, e.value::jsonb, e.value_bytes, @commit, now()
        FROM unnest(@guilds::text[], @seqs::bigint[], @kinds::smallint[], @scopes::smallint[], @agents::text[], @keys::text[],
                    @previous::bigint[], @versions::bigint[], @values::text[], @bytes::bytea[])
             AS e(guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes)
        """;

    private const string RaiseHeadsTemplate =
        "UPDATE {s}.timelines t SET head = h.head FROM unnest(@guilds::text[], @heads::bigint[]) AS h(guild_id, head) WHERE t.guild_id = h.guild_id";

    private const string TimelineRemovingTemplate = "SELECT {s}.timeline_removing(@guild, @scope, @agent)";

    /// <summary>Positional: $1 the guild (see <see cref="LockWritingGuildTemplate"/>).</summary>
    public string LockWritingGuild { get; private set; } = "";

    /// <summary>Positional: $1 the guild (see <see cref="RefuseLoggedGuildTemplate"/>).</summary>
    public string RefuseLoggedGuild { get; private set; } = "";

    public string ReadTimeline { get; private set; } = "";

    public string StartTimeline { get; private set; } = "";

    public string LockTimelines { get; private set; } = "";

    public string PauseTimeline { get; private set; } = "";

    public string ResumeTimeline { get; private set; } = "";

    public string ForkTimeline { get; private set; } = "";

    public string ListForks { get; private set; } = "";

    public string PruneTimeline { get; private set; } = "";

    public string TimelineReadable { get; private set; } = "";

    public string EntriesAfter { get; private set; } = "";

    public string RecordAsOf { get; private set; } = "";

    public string ListAsOf { get; private set; } = "";

    public string ForkList { get; private set; } = "";

    public string ForkOwners { get; private set; } = "";

    /// <summary>Positional, as <see cref="RecordParameters"/>.</summary>
    public string Materialize { get; private set; } = "";

    public string AppendedAt { get; private set; } = "";

    public string InsertEntries { get; private set; } = "";

    public string RaiseHeads { get; private set; } = "";

    public string TimelineRemoving { get; private set; } = "";

    private void BuildTimelineStatements()
    {
        LockWritingGuild = Build(LockWritingGuildTemplate);
        RefuseLoggedGuild = Build(RefuseLoggedGuildTemplate);
        ReadTimeline = Build(ReadTimelineTemplate);
        StartTimeline = Build(StartTimelineTemplate);
        LockTimelines = Build(LockTimelinesTemplate);
        PauseTimeline = Build(PauseTimelineTemplate);
        ResumeTimeline = Build(ResumeTimelineTemplate);
        ForkTimeline = Build(ForkTimelineTemplate);
        ListForks = Build(ListForksTemplate);
        PruneTimeline = Build(PruneTimelineTemplate);
        TimelineReadable = Build(TimelineReadableTemplate);
        EntriesAfter = Build(EntriesAfterTemplate);
        RecordAsOf = Build(RecordAsOfTemplate);
        ListAsOf = Build(ListAsOfTemplate);
        ForkList = Build(ForkListTemplate);
        ForkOwners = Build(ForkOwnersTemplate);
        Materialize = Positional(Build(MaterializeTemplate), RecordParameters);
        AppendedAt = Build(AppendedAtTemplate);
        InsertEntries = Build(InsertEntriesTemplate);
        RaiseHeads = Build(RaiseHeadsTemplate);
        TimelineRemoving = Build(TimelineRemovingTemplate);
    }
}
