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

        """ + "\n" + TimelineReadFunctions + TimelineOperationsLayout;
}
