namespace TypedState.Postgres;

// Storage layout 4, continued: the functions that start, fork and prune a timeline and keep it through an owner's
// removal. Each runs inside the statement batch that takes the guild's advisory lock first (see PostgresStateDriver.Timeline.cs).
internal sealed partial class PostgresSql
{
    /// <summary>The start of <c>prune_timeline</c>: its checks, and the horizon lowered to the oldest live fork point.</summary>
    private const string PruneTimelineStart =
        """
        CREATE OR REPLACE FUNCTION {s}.prune_timeline(p_guild text, p_horizon bigint) RETURNS void LANGUAGE plpgsql
        SET plan_cache_mode = force_custom_plan AS $f$
        DECLARE
            t record;
            h bigint := p_horizon;
        BEGIN
            SELECT tl.head, tl.retained_from INTO t FROM {s}.timelines tl WHERE tl.guild_id = p_guild FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL02', MESSAGE = 'the guild has no timeline';
            END IF;
            IF h > t.head THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL03', MESSAGE = 'beyond the head', DETAIL = t.head::text;
            END IF;
            h := least(h, coalesce((SELECT min(f.fork_sequence) FROM {s}.timelines f WHERE f.parent = p_guild), h));
        """;

    /// <summary>The entries <c>prune_timeline</c> drops below its horizon <c>h</c>.</summary>
    private const string PruneTimelineEntries =
        """
            IF h <= t.retained_from THEN
                RETURN;
            END IF;
            DELETE FROM {s}.timeline_entries e WHERE e.guild_id = p_guild AND e.seq <= h AND (e.kind = 2 OR EXISTS (
                SELECT 1 FROM {s}.timeline_entries n WHERE n.guild_id = p_guild AND n.scope = e.scope AND n.agent_id = e.agent_id
                AND left(n.key, 128) = left(e.key, 128)
                AND sha256(decode(replace(n.key, '\', '\\'), 'escape')) = sha256(decode(replace(e.key, '\', '\\'), 'escape'))
                AND n.key = e.key AND n.kind <> 2 AND n.seq > e.seq AND n.seq <= h));
        """;

    /// <summary>The end of <c>prune_timeline</c>: the new oldest readable sequence.</summary>
    private const string PruneTimelineEnd =
        """
            UPDATE {s}.timelines SET retained_from = h WHERE guild_id = p_guild;
        END $f$;
        """;

    private const string TimelineOperationsLayout =
        """

        -- Starts a guild's timeline (under the guild's exclusive advisory lock, so no commit runs meanwhile): what the
        -- guild and its agents hold becomes its first entries, sets in owner (agents first, as the scope's number
        -- orders them) and key order. Nothing when it already has one.
        CREATE FUNCTION {s}.start_timeline(p_guild text) RETURNS void LANGUAGE plpgsql AS $f$
        DECLARE
            n bigint;
        BEGIN
            IF EXISTS (SELECT 1 FROM {s}.timelines t WHERE t.guild_id = p_guild) THEN
                RETURN;
            END IF;
            INSERT INTO {s}.timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at)
            SELECT p_guild, row_number() OVER (ORDER BY r.scope, r.agent_id, r.key), 0, r.scope, r.agent_id, r.key, 0, r.version,
                   r.value, r.value_bytes, '00000000-0000-0000-0000-000000000000', now()
            FROM {s}.records r WHERE r.scope IN (1, 2) AND r.guild_id = p_guild AND (r.value IS NOT NULL OR r.value_bytes IS NOT NULL);
            GET DIAGNOSTICS n = ROW_COUNT;
            INSERT INTO {s}.timelines (guild_id, head) VALUES (p_guild, n);
        END $f$;

        -- Forks p_source at p_at into p_fork (under p_fork's exclusive advisory lock): one row. The source's row is
        -- locked first, so that a concurrent prune either sees the fork (and keeps its fork point) or ran before the
        -- readability check. Planned per call: a cached generic plan of the empty-target check, once records is
        -- analysed, scans the whole table (a guild id looks as common as the few guilds in the statistics).
        CREATE FUNCTION {s}.fork_timeline(p_source text, p_at bigint, p_fork text) RETURNS void LANGUAGE plpgsql
        SET plan_cache_mode = force_custom_plan AS $f$
        BEGIN
            PERFORM 1 FROM {s}.timelines t WHERE t.guild_id = p_source FOR UPDATE;
            PERFORM {s}.timeline_readable(p_source, p_at, true);
            IF EXISTS (SELECT 1 FROM {s}.timelines t WHERE t.guild_id = p_fork)
               OR EXISTS (SELECT 1 FROM {s}.records r WHERE r.scope IN (1, 2) AND r.guild_id = p_fork) THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL05', MESSAGE = 'the target guild holds state or a timeline';
            END IF;
            INSERT INTO {s}.timelines (guild_id, head, parent, fork_sequence) VALUES (p_fork, p_at, p_source, p_at);
        END $f$;

        -- Drops the history up to the horizon (lowered to the oldest fork point of a live fork): appended events, and
        -- every set, delete and removal but the last one at or below it of each record and agent, which the state at
        -- the horizon needs. Returns nothing; the driver reads the row after.
        """ + "\n" + PruneTimelineStart + "\n" + PruneTimelineEntries + "\n" + PruneTimelineEnd + """

        -- Keeps the timeline through an owner's removal (under the guild's exclusive advisory lock, before the
        -- records go): a guild with live forks is refused; a fork's owner raises the guild's version floor to what it
        -- read through its source; a removed guild loses its timeline (detached from its source); a removed agent is
        -- an entry.
        CREATE FUNCTION {s}.timeline_removing(p_guild text, p_scope smallint, p_agent text) RETURNS void LANGUAGE plpgsql
        SET plan_cache_mode = force_custom_plan AS $f$
        DECLARE
            t record;
            inherited bigint;
        BEGIN
            SELECT tl.head, tl.parent, tl.fork_sequence INTO t FROM {s}.timelines tl WHERE tl.guild_id = p_guild FOR UPDATE;
            IF NOT FOUND THEN
                RETURN;
            END IF;
            IF p_scope = 2 AND EXISTS (SELECT 1 FROM {s}.timelines f WHERE f.parent = p_guild) THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL06', MESSAGE = 'the guild has live forks', HINT = t.head::text,
                    DETAIL = (SELECT string_agg(f.guild_id, ', ' ORDER BY f.guild_id) FROM {s}.timelines f WHERE f.parent = p_guild);
            END IF;
            IF t.parent IS NOT NULL THEN
                IF p_scope = 1 THEN
                    SELECT max(l.version) INTO inherited FROM {s}.fork_list(p_guild, p_scope, p_agent, '', NULL) l;
                ELSE
                    SELECT max(l.version) INTO inherited
                    FROM (SELECT DISTINCT e.scope, e.agent_id FROM {s}.timeline_entries e WHERE e.kind IN (0, 1) AND e.guild_id IN (
                              WITH RECURSIVE chain(guild_id) AS (
                                  SELECT t.parent COLLATE "C" UNION ALL SELECT c.parent FROM chain x JOIN {s}.timelines c ON c.guild_id = x.guild_id WHERE c.parent IS NOT NULL)
                              SELECT guild_id FROM chain)) o
                    CROSS JOIN LATERAL {s}.fork_list(p_guild, o.scope, o.agent_id, '', NULL) l;
                END IF;
                IF inherited > 0 THEN
                    INSERT INTO {s}.guild_floors AS f (guild_id, floor) VALUES (p_guild, inherited)
                    ON CONFLICT (guild_id) DO UPDATE SET floor = greatest(f.floor, excluded.floor);
                END IF;
            END IF;
            IF p_scope = 2 THEN
                DELETE FROM {s}.timeline_entries e WHERE e.guild_id = p_guild;
                DELETE FROM {s}.timelines tl WHERE tl.guild_id = p_guild;
            ELSE
                INSERT INTO {s}.timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, commit_id, committed_at)
                VALUES (p_guild, t.head + 1, 3, 1, p_agent, '', 0, 0, '00000000-0000-0000-0000-000000000000', now());
                UPDATE {s}.timelines SET head = head + 1 WHERE guild_id = p_guild;
            END IF;
        END $f$
        """;
}
