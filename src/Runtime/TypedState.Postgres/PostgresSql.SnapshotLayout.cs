namespace TypedState.Postgres;

// Storage layout 5: whole-guild snapshots and pinned replay points, two tables that go with their guild's timeline
// (a foreign key deletes them with its row), and the functions that save them and let pruning keep them.
internal sealed partial class PostgresSql
{
    /// <summary>
    /// Version 5. <c>timeline_snapshots</c>: the documents the core builds, one per guild and sequence.
    /// <c>timeline_pins</c>: the pinned sequences of a guild. <c>prune_timeline</c> is replaced: the horizon is also
    /// lowered to the lowest pin, and snapshots below the horizon are dropped.
    /// </summary>
    private const string SnapshotLayoutTemplate =
        """
        CREATE TABLE {s}.timeline_snapshots (
            guild_id text COLLATE "C" NOT NULL REFERENCES {s}.timelines (guild_id) ON DELETE CASCADE,
            seq      bigint NOT NULL,
            document bytea  NOT NULL,
            PRIMARY KEY (guild_id, seq)
        );
        CREATE TABLE {s}.timeline_pins (
            guild_id text COLLATE "C" NOT NULL REFERENCES {s}.timelines (guild_id) ON DELETE CASCADE,
            seq      bigint NOT NULL,
            PRIMARY KEY (guild_id, seq)
        );

        -- Stores (or replaces) a snapshot, or a pin (p_doc NULL), at a readable sequence. The timeline's row is
        -- share-locked first, so a concurrent prune (which locks it for update) runs wholly before or after.
        CREATE FUNCTION {s}.keep_point(p_guild text, p_seq bigint, p_doc bytea) RETURNS void LANGUAGE plpgsql AS $f$
        BEGIN
            PERFORM 1 FROM {s}.timelines t WHERE t.guild_id = p_guild FOR SHARE;
            PERFORM {s}.timeline_readable(p_guild, p_seq, true);
            IF p_doc IS NULL THEN
                INSERT INTO {s}.timeline_pins (guild_id, seq) VALUES (p_guild, p_seq) ON CONFLICT DO NOTHING;
            ELSE
                INSERT INTO {s}.timeline_snapshots (guild_id, seq, document) VALUES (p_guild, p_seq, p_doc)
                ON CONFLICT (guild_id, seq) DO UPDATE SET document = excluded.document;
            END IF;
        END $f$;

        -- As in layout 4, with the horizon lowered to the lowest pin too, and the snapshots below it dropped.
        """ + "\n" + PinnedPruneTimeline + """


        -- The owners of a guild (scope 2 first, then its agents) holding a live record as of a sequence, their own or
        -- read through the guild's sources up to each fork point.
        CREATE FUNCTION {s}.owners_as_of(p_guild text, p_seq bigint) RETURNS TABLE (scope smallint, agent_id text) LANGUAGE sql STABLE AS $f$
            WITH RECURSIVE chain(guild_id, hi) AS (
                SELECT p_guild COLLATE "C", p_seq
                UNION ALL
                SELECT t.parent, least(c.hi, t.fork_sequence) FROM chain c JOIN {s}.timelines t ON t.guild_id = c.guild_id WHERE t.parent IS NOT NULL),
            candidates(scope, agent_id) AS (
                SELECT DISTINCT e.scope, e.agent_id FROM chain c JOIN {s}.timeline_entries e ON e.guild_id = c.guild_id
                WHERE e.kind IN (0, 1) AND e.seq <= c.hi)
            SELECT o.scope, o.agent_id::text FROM candidates o
            WHERE EXISTS (SELECT 1 FROM {s}.list_as_of(p_guild, p_seq, o.scope, o.agent_id, '', NULL) a WHERE a.live)
            ORDER BY o.scope DESC, o.agent_id
        $f$;
        """;

    /// <summary>Layout 5's <c>prune_timeline</c>: layout 4's, keeping pinned sequences and dropping snapshots below the horizon.</summary>
    private const string PinnedPruneTimeline = PruneTimelineStart + """

            h := least(h, coalesce((SELECT min(p.seq) FROM {s}.timeline_pins p WHERE p.guild_id = p_guild), h));
        """ + "\n" + PruneTimelineEntries + """

            DELETE FROM {s}.timeline_snapshots s WHERE s.guild_id = p_guild AND s.seq < h;
        """ + "\n" + PruneTimelineEnd;

    private const string KeepPointTemplate = "SELECT {s}.keep_point(@guild, @sequence, @document)";

    private const string UnpinTemplate = "DELETE FROM {s}.timeline_pins WHERE guild_id = @guild AND seq = @sequence";

    private const string ListPinsTemplate = "SELECT seq FROM {s}.timeline_pins WHERE guild_id = @guild ORDER BY seq";

    private const string ListSnapshotsTemplate = "SELECT seq FROM {s}.timeline_snapshots WHERE guild_id = @guild ORDER BY seq DESC";

    private const string ReadSnapshotTemplate = "SELECT document FROM {s}.timeline_snapshots WHERE guild_id = @guild AND seq = @sequence";

    private const string OwnersAsOfTemplate = "SELECT scope, agent_id FROM {s}.owners_as_of(@guild, @sequence)";

    public string KeepPoint { get; private set; } = "";

    public string Unpin { get; private set; } = "";

    public string ListPins { get; private set; } = "";

    public string ListSnapshots { get; private set; } = "";

    public string ReadSnapshot { get; private set; } = "";

    public string OwnersAsOf { get; private set; } = "";

    private void BuildSnapshotStatements()
    {
        KeepPoint = Build(KeepPointTemplate);
        Unpin = Build(UnpinTemplate);
        ListPins = Build(ListPinsTemplate);
        ListSnapshots = Build(ListSnapshotsTemplate);
        ReadSnapshot = Build(ReadSnapshotTemplate);
        OwnersAsOf = Build(OwnersAsOfTemplate);
    }
}
