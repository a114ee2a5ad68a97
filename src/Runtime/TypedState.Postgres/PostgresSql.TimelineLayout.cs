namespace TypedState.Postgres;

// Storage layout 4: guild timelines. Two tables and the functions that walk a fork's chain of sources; the driver's
// statements (PostgresSql.Timelines.cs) call them. Functions raise SQLSTATEs of class TS, which the driver turns into
// StateTimelineException (PostgresStateDriver.TimelineErrors.cs).
internal sealed partial class PostgresSql
{
    /// <summary>Raised by <c>lock_unlogged_guild</c>: the guild keeps a timeline, so the commit takes the logged path.</summary>
    public const string GuildIsLogged = "TSL01";

    /// <summary>The guild has no timeline.</summary>
    public const string TimelineNotStarted = "TSL02";

    /// <summary>The sequence is beyond the head (DETAIL: the head).</summary>
    public const string TimelineBeyondHead = "TSL03";

    /// <summary>The sequence was pruned (DETAIL: the oldest readable sequence).</summary>
    public const string TimelinePruned = "TSL04";

    /// <summary>The fork's target guild holds state or a timeline.</summary>
    public const string TimelineGuildExists = "TSL05";

    /// <summary>The guild has live forks (DETAIL: their ids; HINT: the guild's head).</summary>
    public const string TimelineHasForks = "TSL06";

    /// <summary>
    /// Version 4. <c>timelines</c>: one row per guild that keeps a timeline; its row lock orders the commits of the
    /// guild (each logged commit locks it first and raises <c>head</c>, so sequences are gapless and in commit order).
    /// <c>timeline_entries</c>: the entries, values stored as records store theirs; indexed for reads as of a
    /// sequence by (guild, owner, key head, key digest, seq), and appended ids unique per guild. An agent's removal
    /// is an entry of kind 3 with the empty key, which no record has.
    /// </summary>
    private const string TimelineLayoutTemplate =
        """
        CREATE TABLE {s}.timelines (
            guild_id      text COLLATE "C" PRIMARY KEY,
            head          bigint NOT NULL,             -- the newest entry's sequence: gapless, never reused
            paused_at     bigint,                      -- the head when paused; NULL while the guild runs
            parent        text COLLATE "C",            -- the guild this one was forked from (it reads through it)
            fork_sequence bigint NOT NULL DEFAULT 0,   -- the parent's sequence it was forked at
            retained_from bigint NOT NULL DEFAULT 0    -- the oldest sequence whose state can still be read
        );
        CREATE INDEX timelines_forks ON {s}.timelines (parent, guild_id) WHERE parent IS NOT NULL;
        CREATE TABLE {s}.timeline_entries (
            guild_id         text COLLATE "C" NOT NULL,
            seq              bigint   NOT NULL,
            kind             smallint NOT NULL,        -- 0 set, 1 delete, 2 append, 3 agent removed
            scope            smallint NOT NULL,
            agent_id         text COLLATE "C" NOT NULL,
            key              text COLLATE "C" NOT NULL, -- the record's key, the event's id, or '' for a removal
            previous_version bigint   NOT NULL,
            version          bigint   NOT NULL,
            value            jsonb,
            value_bytes      bytea,
            commit_id        uuid     NOT NULL,
            committed_at     timestamptz NOT NULL,
            PRIMARY KEY (guild_id, seq)
        );
        CREATE INDEX timeline_entries_as_of ON {s}.timeline_entries (guild_id, scope, agent_id, left(key, 128), sha256(decode(replace(key, '\', '\\'), 'escape')), seq);
        CREATE UNIQUE INDEX timeline_entries_event ON {s}.timeline_entries (guild_id, left(key, 128), sha256(decode(replace(key, '\', '\\'), 'escape'))) WHERE kind = 2;

        -- A commit's shared lock of a guild (no lock when p_lock is NULL: a batch that only checks), then, in a
        -- statement of its own (so it sees every timeline started before the lock was granted), the refusal to go
        -- on when the guild keeps a timeline: such commits take the logged path. One index probe otherwise.
        CREATE FUNCTION {s}.lock_unlogged_guild(p_lock text, p_guild text) RETURNS void LANGUAGE plpgsql AS $f$
        BEGIN
            IF p_lock IS NOT NULL THEN
                PERFORM pg_advisory_xact_lock_shared(1414725635, hashtext(p_lock));
            END IF;
            IF EXISTS (SELECT 1 FROM {s}.timelines t WHERE t.guild_id = p_guild) THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL01', MESSAGE = 'the guild keeps a timeline', DETAIL = p_guild;
            END IF;
        END $f$;

        -- Raises unless sequence p_seq of the guild can be read: the guild has a timeline, the sequence is not beyond
        -- its head (when p_up_to_head) and it was not pruned here or, at or below a fork point, in the source.
        CREATE FUNCTION {s}.timeline_readable(p_guild text, p_seq bigint, p_up_to_head boolean) RETURNS void LANGUAGE plpgsql AS $f$
        DECLARE
            g text := p_guild;
            t record;
        BEGIN
            SELECT tl.head INTO t FROM {s}.timelines tl WHERE tl.guild_id = p_guild;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL02', MESSAGE = 'the guild has no timeline';
            END IF;
            IF p_up_to_head AND p_seq > t.head THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL03', MESSAGE = 'beyond the head', DETAIL = t.head::text;
            END IF;
            LOOP
                SELECT tl.parent, tl.fork_sequence, tl.retained_from INTO t FROM {s}.timelines tl WHERE tl.guild_id = g;
                IF NOT FOUND THEN
                    RETURN;
                END IF;
                IF p_seq < t.retained_from THEN
                    RAISE EXCEPTION USING ERRCODE = 'TSL04', MESSAGE = 'pruned', DETAIL = t.retained_from::text;
                END IF;
                IF t.parent IS NULL OR p_seq > t.fork_sequence THEN
                    RETURN;
                END IF;
                g := t.parent;
            END LOOP;
        END $f$;

        -- A record as of a sequence: the latest set or delete at or below it after the owner's latest removal, in the
        -- guild or, at or below a fork point and for a record the fork never wrote, in its source. live is false for
        -- a delete (the tombstone's version); no row when the record never existed.
        CREATE FUNCTION {s}.record_as_of(p_guild text, p_scope smallint, p_agent text, p_key text, p_seq bigint)
        RETURNS TABLE (value jsonb, value_bytes bytea, version bigint, live boolean) LANGUAGE plpgsql STABLE AS $f$
        #variable_conflict use_column
        DECLARE
            g text := p_guild;
            s bigint := p_seq;
            removed bigint;
            t record;
            c record;
        BEGIN
            LOOP
                SELECT tl.parent, tl.fork_sequence INTO t FROM {s}.timelines tl WHERE tl.guild_id = g;
                IF NOT FOUND THEN
                    RETURN;
                END IF;
                IF t.parent IS NULL OR s > t.fork_sequence THEN
                    SELECT coalesce(max(e.seq), 0) INTO removed FROM {s}.timeline_entries e
                    WHERE e.guild_id = g AND e.scope = p_scope AND e.agent_id = p_agent AND left(e.key, 128) = ''
                      AND sha256(decode(replace(e.key, '\', '\\'), 'escape')) = sha256(''::bytea) AND e.kind = 3 AND e.seq <= s;
                    SELECT e.seq, e.kind, e.value, e.value_bytes, e.version INTO c FROM {s}.timeline_entries e
                    WHERE e.guild_id = g AND e.scope = p_scope AND e.agent_id = p_agent AND left(e.key, 128) = left(p_key, 128)
                      AND sha256(decode(replace(e.key, '\', '\\'), 'escape')) = sha256(decode(replace(p_key, '\', '\\'), 'escape'))
                      AND e.key = p_key AND e.kind IN (0, 1) AND e.seq <= s
                    ORDER BY e.seq DESC LIMIT 1;
                    IF FOUND AND c.seq > removed THEN
                        RETURN QUERY SELECT c.value, c.value_bytes, c.version, c.kind = 0;
                        RETURN;
                    END IF;
                    IF removed > 0 OR t.parent IS NULL THEN
                        RETURN;
                    END IF;
                END IF;
                s := least(s, t.fork_sequence);
                g := t.parent;
            END LOOP;
        END $f$;

        -- Whether an agent was ever removed in a guild's timeline (a removal is an entry of kind 3 with the empty key).
        CREATE FUNCTION {s}.removed_in(p_guild text, p_scope smallint, p_agent text) RETURNS boolean LANGUAGE sql STABLE AS $f$
            SELECT EXISTS (
                SELECT 1 FROM {s}.timeline_entries e WHERE e.guild_id = p_guild AND e.scope = p_scope AND e.agent_id = p_agent
                AND left(e.key, 128) = '' AND sha256(decode(replace(e.key, '\', '\\'), 'escape')) = sha256(''::bytea) AND e.kind = 3)
        $f$;

        -- What a fork reads through its source for a record (the source's as of the fork point), unless the agent was
        -- removed in the fork; nothing for a guild that is not a fork.
        CREATE FUNCTION {s}.inherited(p_guild text, p_scope smallint, p_agent text, p_key text)
        RETURNS TABLE (value jsonb, value_bytes bytea, version bigint, live boolean) LANGUAGE plpgsql STABLE AS $f$
        #variable_conflict use_column
        DECLARE
            t record;
        BEGIN
            SELECT tl.parent, tl.fork_sequence INTO t FROM {s}.timelines tl WHERE tl.guild_id = p_guild AND tl.parent IS NOT NULL;
            IF NOT FOUND OR {s}.removed_in(p_guild, p_scope, p_agent) THEN
                RETURN;
            END IF;
            RETURN QUERY SELECT * FROM {s}.record_as_of(t.parent, p_scope, p_agent, p_key, t.fork_sequence);
        END $f$;

        -- An owner's records as of a sequence in [p_lower, p_upper) (no upper bound when NULL), each as record_as_of
        -- reads it, in one scan per level of the fork chain rather than a call per key: a key's latest set or delete at
        -- the shallowest level holding one above the owner's latest removal there; a level with a removal hides every
        -- deeper one. live is false for a delete. Planned per call: how many rows an owner has varies by guild.
        CREATE FUNCTION {s}.list_as_of(p_guild text, p_seq bigint, p_scope smallint, p_agent text, p_lower text, p_upper text)
        RETURNS TABLE (key text, value jsonb, value_bytes bytea, version bigint, live boolean) LANGUAGE plpgsql STABLE
        SET plan_cache_mode = force_custom_plan AS $f$
        #variable_conflict use_column
        BEGIN
            RETURN QUERY
            WITH RECURSIVE chain(depth, guild_id, hi) AS (
                SELECT 0, p_guild COLLATE "C", p_seq
                UNION ALL
                SELECT c.depth + 1, t.parent, least(c.hi, t.fork_sequence) FROM chain c JOIN {s}.timelines t ON t.guild_id = c.guild_id WHERE t.parent IS NOT NULL),
            levels AS (
                SELECT c.depth, c.guild_id, c.hi, coalesce((SELECT max(e.seq) FROM {s}.timeline_entries e
                    WHERE e.guild_id = c.guild_id AND e.scope = p_scope AND e.agent_id = p_agent AND left(e.key, 128) = ''
                      AND sha256(decode(replace(e.key, '\', '\\'), 'escape')) = sha256(''::bytea) AND e.kind = 3 AND e.seq <= c.hi), 0) AS removed
                FROM chain c),
            reached AS (
                SELECT l.depth, l.guild_id, l.hi, l.removed FROM levels l
                WHERE NOT EXISTS (SELECT 1 FROM levels d WHERE d.depth < l.depth AND d.removed > 0))
            SELECT DISTINCT ON (x.key) x.key::text, x.value, x.value_bytes, x.version, x.kind = 0
            FROM reached l CROSS JOIN LATERAL (
                -- OFFSET 0 keeps this a scan per level by the as-of index: joined plainly, the guild ids of the chain
                -- are unknown when planning, and a hash join over every entry of the table looks cheaper.
                SELECT e.key, e.seq, e.kind, e.value, e.value_bytes, e.version FROM {s}.timeline_entries e
                WHERE e.guild_id = l.guild_id AND e.scope = p_scope AND e.agent_id = p_agent AND e.kind IN (0, 1)
                  AND e.seq <= l.hi AND e.seq > l.removed AND e.key >= p_lower AND (p_upper IS NULL OR e.key < p_upper)
                OFFSET 0) x
            ORDER BY x.key, l.depth, x.seq DESC;
        END $f$;

        -- The live records of an owner of a fork in [p_lower, p_upper): its own, and those it reads through its
        -- source where it has no row of its own (a tombstone hides the inherited record).
        CREATE FUNCTION {s}.fork_list(p_guild text, p_scope smallint, p_agent text, p_lower text, p_upper text)
        RETURNS TABLE (key text, value jsonb, value_bytes bytea, version bigint) LANGUAGE plpgsql STABLE
        SET plan_cache_mode = force_custom_plan AS $f$
        #variable_conflict use_column
        DECLARE
            t record;
        BEGIN
            RETURN QUERY SELECT r.key::text, r.value, r.value_bytes, r.version FROM {s}.records r
                WHERE r.scope = p_scope AND r.guild_id = p_guild AND r.agent_id = p_agent AND r.key >= p_lower
                  AND (p_upper IS NULL OR r.key < p_upper) AND (r.value IS NOT NULL OR r.value_bytes IS NOT NULL);
            SELECT tl.parent, tl.fork_sequence INTO t FROM {s}.timelines tl WHERE tl.guild_id = p_guild AND tl.parent IS NOT NULL;
            IF NOT FOUND OR {s}.removed_in(p_guild, p_scope, p_agent) THEN
                RETURN;
            END IF;
            RETURN QUERY SELECT a.key, a.value, a.value_bytes, a.version
                FROM {s}.list_as_of(t.parent, t.fork_sequence, p_scope, p_agent, p_lower, p_upper) a
                WHERE a.live AND NOT EXISTS (
                    SELECT 1 FROM {s}.records r WHERE r.scope = p_scope AND r.guild_id = p_guild AND r.agent_id = p_agent
                    AND left(r.key, 128) = left(a.key, 128) AND r.key = a.key);
        END $f$;

        -- The owners of a scope, in every fork, that hold a live record of their own or read one through their source.
        CREATE FUNCTION {s}.fork_owners(p_scope smallint) RETURNS TABLE (guild_id text, agent_id text) LANGUAGE sql STABLE AS $f$
            WITH RECURSIVE chain(fork, guild_id, hi) AS (
                SELECT f.guild_id, f.parent, f.fork_sequence FROM {s}.timelines f WHERE f.parent IS NOT NULL
                UNION ALL
                SELECT c.fork, t.parent, least(c.hi, t.fork_sequence) FROM chain c JOIN {s}.timelines t ON t.guild_id = c.guild_id WHERE t.parent IS NOT NULL),
            candidates(fork, agent_id) AS (
                SELECT c.fork, e.agent_id FROM chain c JOIN {s}.timeline_entries e ON e.guild_id = c.guild_id
                WHERE e.scope = p_scope AND e.kind IN (0, 1) AND e.seq <= c.hi
                UNION
                SELECT r.guild_id, r.agent_id FROM {s}.records r JOIN {s}.timelines f ON f.guild_id = r.guild_id AND f.parent IS NOT NULL
                WHERE r.scope = p_scope)
            SELECT c.fork::text, c.agent_id::text FROM candidates c
            WHERE EXISTS (SELECT 1 FROM {s}.fork_list(c.fork, p_scope, c.agent_id, '', NULL))
        $f$;

        -- The first sequence an event id was appended at, in the guild or, up to each fork point, its sources.
        CREATE FUNCTION {s}.appended_at(p_guild text, p_id text) RETURNS bigint LANGUAGE sql STABLE AS $f$
            WITH RECURSIVE chain(guild_id, hi) AS (
                SELECT p_guild COLLATE "C", 9223372036854775807::bigint
                UNION ALL
                SELECT t.parent, least(c.hi, t.fork_sequence) FROM chain c JOIN {s}.timelines t ON t.guild_id = c.guild_id WHERE t.parent IS NOT NULL)
            SELECT min(e.seq) FROM chain c JOIN {s}.timeline_entries e ON e.guild_id = c.guild_id AND e.kind = 2
                AND left(e.key, 128) = left(p_id, 128) AND sha256(decode(replace(e.key, '\', '\\'), 'escape')) = sha256(decode(replace(p_id, '\', '\\'), 'escape'))
                AND e.key = p_id AND e.seq <= c.hi
        $f$;
        """ + TimelineOperationsLayout;
}
