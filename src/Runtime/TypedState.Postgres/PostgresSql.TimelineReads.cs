namespace TypedState.Postgres;

// Storage layout 4, continued: the functions that read a timeline's records as of a sequence, through a fork's chain
// of sources. Storage layout 9 re-creates them with its key digest (see PostgresSql.ShortKeyDigestLayout.cs).
internal sealed partial class PostgresSql
{
    /// <summary>The reading functions of layout 4, as layout 4 created them (its key digest: the SHA-256 of every key).</summary>
    private const string TimelineReadFunctions =
        """
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
        """;
}
