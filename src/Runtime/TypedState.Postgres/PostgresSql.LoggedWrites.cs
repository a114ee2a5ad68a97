namespace TypedState.Postgres;

// The one-round-trip logged commit (PostgresStateDriver.LoggedFastPath.cs): an opening function takes the guilds'
// locks and reserves their sequences (raising the heads, which row-locks them), each write's statement also inserts
// its entry at the sequence its place in the batch gives it, and a closing function checks that every write applied
// and remembers the commit id. The functions are created by storage layout 5.
internal sealed partial class PostgresSql
{
    /// <summary>Raised by <c>lock_logged</c> and <c>finish_logged</c>: the commit cannot complete in one round trip (nothing applied); the two-round-trip path decides.</summary>
    public const string LoggedCommitDeclined = "TSL07";

    /// <summary>Layout 5, continued: the function that opens a one-round-trip logged commit (<see cref="FinishLoggedFunction"/> closes it).</summary>
    private const string LoggedCommitLayout =
        """

        -- Opens a one-round-trip logged commit: the guilds' shared advisory locks (p_locks, in guild order, as every
        -- commit takes them), then each guild's head raised by its number of writes (p_counts), in guild order. The
        -- update row-locks the timeline until the commit ends, which orders the guild's commits: the entries take the
        -- sequences just reserved. Declines unless every guild keeps a timeline, runs (a pause waits for the commits
        -- holding the row, and a commit that waited re-reads it) and is not a fork (whose writes may first copy what
        -- they read through their source).
        CREATE FUNCTION {s}.lock_logged(p_locks text[], p_guilds text[], p_counts bigint[]) RETURNS void LANGUAGE plpgsql AS $f$
        DECLARE
            l text;
        BEGIN
            FOREACH l IN ARRAY p_locks LOOP
                PERFORM pg_advisory_xact_lock_shared(1414725635, hashtext(l));
            END LOOP;
            FOR i IN 1 .. cardinality(p_guilds) LOOP
                UPDATE {s}.timelines t SET head = t.head + p_counts[i]
                WHERE t.guild_id = p_guilds[i] AND t.paused_at IS NULL AND t.parent IS NULL;
                IF NOT FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = 'TSL07', MESSAGE = 'a guild is paused, a fork or keeps no timeline';
                END IF;
            END LOOP;
        END $f$;

        """;

    /// <summary>
    /// Layout 5's closing function, and layout 6's replacement of it (a schema of layout 5 gets it on upgrade; a new
    /// schema creates it twice, the same body). Two primary-key lookups, never a join: the join it used to run was
    /// planned once per session, and a plan made while the entries table had no statistics yet (before autovacuum's
    /// first analyze) read every entry of the guild, so each commit cost more than the one before.
    /// </summary>
    private const string FinishLoggedFunction =
        """

        -- Closes a one-round-trip logged commit whose i-th write (in batch order) wrote the entry at its guild's head
        -- plus p_offsets[i] (the head already raised, so offsets run up to 0): declines when one is missing (its
        -- condition failed), otherwise returns the writes' versions (a set's new version, a delete's deleted one) and
        -- remembers them under the commit id (a repeat of a committed id fails here, on the id's unique index, and
        -- rolls back whole).
        CREATE OR REPLACE FUNCTION {s}.finish_logged(p_guilds text[], p_offsets bigint[], p_commit uuid, p_retention interval) RETURNS bigint[] LANGUAGE plpgsql AS $f$
        DECLARE
            result bigint[] := '{}';
            h bigint;
            v bigint;
        BEGIN
            FOR i IN 1 .. cardinality(p_guilds) LOOP
                SELECT t.head INTO h FROM {s}.timelines t WHERE t.guild_id = p_guilds[i];
                v := NULL;
                SELECT CASE WHEN e.kind = 1 THEN e.previous_version ELSE e.version END INTO v
                FROM {s}.timeline_entries e WHERE e.guild_id = p_guilds[i] AND e.seq = h + p_offsets[i];
                IF v IS NULL THEN
                    RAISE EXCEPTION USING ERRCODE = 'TSL07', MESSAGE = 'a condition failed';
                END IF;
                result := result || v;
            END LOOP;
            IF p_commit IS NOT NULL THEN
                INSERT INTO {s}.commit_ids (id, versions, expires_at) VALUES (p_commit, result, now() + p_retention);
            END IF;
            RETURN result;
        END $f$;
        """;

    /// <summary>
    /// Layout 8: <c>lock_logged</c> for a batch of one guild, without arrays (the common commit: its PL/pgSQL loop over
    /// array arguments cost about twice the lock and the head's update it runs).
    /// </summary>
    private const string LockLoggedOneFunction =
        """
        CREATE FUNCTION {s}.lock_logged_one(p_lock text, p_guild text, p_count bigint) RETURNS void LANGUAGE plpgsql AS $f$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(1414725635, hashtext(p_lock));
            UPDATE {s}.timelines t SET head = t.head + p_count
            WHERE t.guild_id = p_guild AND t.paused_at IS NULL AND t.parent IS NULL;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'TSL07', MESSAGE = 'the guild is paused, a fork or keeps no timeline';
            END IF;
        END $f$
        """;

    /// <summary>A write's entry, the statement's main part: at the guild's (raised) head plus the write's offset, from what <c>written</c> returned.</summary>
    private const string LoggedEntry =
        " INSERT INTO {s}.timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at)" +
        " SELECT @guild, (SELECT head FROM {s}.timelines WHERE guild_id = @guild) + @offset, {kind}, @scope, @agent, @key, {previous}, {version}, {value}, @commit, now() FROM written";

    /// <summary>The parameters of the logged write statements, in order: the record's, then the entry's offset from the raised head.</summary>
    public static readonly string[] LoggedParameters = [.. RecordParameters, "offset"];

    public string LockLogged { get; private set; } = "";

    /// <summary>
    /// As <see cref="LockLogged"/>, for a batch of one guild, after <see cref="LockWritingGuild"/> (the guild's shared lock)
    /// and in a statement of its own, so that its snapshot holds what committed before the lock was granted; positional:
    /// <c>$1</c> the guild, <c>$2</c> its number of writes. The head is raised in plain SQL; <c>lock_logged_one</c>
    /// (PL/pgSQL, about three times the cost of the statement) runs only when no head was raised, to raise it after all
    /// (a guild resumed meanwhile) or the refusal.
    /// </summary>
    public string RaiseLoggedHead { get; private set; } = "";

    /// <summary>
    /// Positional, so that its command is reused (<see cref="PostgresCommandPool"/>): $1 the writes' guilds, $2 their
    /// offsets, $3 the commit id (the empty id for none), $4 its retention.
    /// </summary>
    public string FinishLogged { get; private set; } = "";

    /// <summary>Positional (<see cref="LoggedParameters"/>): an unconditional set and its entry, its previous version the live one it replaced.</summary>
    public string LoggedSetAny { get; private set; } = "";

    /// <summary>
    /// Positional (<see cref="LoggedParameters"/>): a batch's only write, an unconditional set, with its entry and its
    /// commit id remembered, returning its new version: no closing function, as the set cannot fail a condition (a
    /// repeat of a committed id fails on the id's unique index and rolls back whole, as in the closing function).
    /// </summary>
    public string LoggedSetAnyAlone { get; private set; } = "";

    /// <summary>Positional (<see cref="LoggedParameters"/>): a set requiring absence and its entry.</summary>
    public string LoggedSetIfAbsent { get; private set; } = "";

    /// <summary>Positional (<see cref="LoggedParameters"/>): a set requiring a version and its entry.</summary>
    public string LoggedSetIfVersion { get; private set; } = "";

    /// <summary>Positional (<see cref="LoggedParameters"/>): a delete requiring a version and its entry.</summary>
    public string LoggedDeleteIfVersion { get; private set; } = "";

    private void BuildLoggedWriteStatements()
    {
        static string Entry(string kind, string previous, string version, string value) => LoggedEntry
            .Replace("{kind}", kind, StringComparison.Ordinal)
            .Replace("{previous}", previous, StringComparison.Ordinal)
            .Replace("{version}", version, StringComparison.Ordinal)
            .Replace("{value}", value, StringComparison.Ordinal);

        string Logged(string sql) => Positional(Build(sql), LoggedParameters);

        const string setValue = "@value, @value_bytes";
        LockLogged = Build("SELECT {s}.lock_logged(@locks, @guilds, @counts)");
        RaiseLoggedHead = Build(
            "WITH raised AS (UPDATE {s}.timelines t SET head = t.head + $2 WHERE t.guild_id = $1 AND t.paused_at IS NULL AND t.parent IS NULL RETURNING 1) " +
            "SELECT {s}.lock_logged_one({schema} || chr(31) || $1, $1, $2) WHERE NOT EXISTS (SELECT 1 FROM raised)");
        FinishLogged = Build("SELECT {s}.finish_logged($1, $2, NULLIF($3, '00000000-0000-0000-0000-000000000000'::uuid), $4)");
        LoggedSetAny = Logged(Seen + "written AS (" + SetAnyWrite + ")" + Entry("0", "coalesce((SELECT live FROM seen), 0)", "version", setValue));
        LoggedSetAnyAlone = Logged(Seen + "written AS (" + SetAnyWrite + "), logged AS (" + Entry("0", "coalesce((SELECT live FROM seen), 0)", "version", setValue) + "), " +
            RememberIfWritten + " SELECT version FROM written");
        LoggedSetIfAbsent = Logged("WITH written AS (" + SetIfAbsentWrite + ")" + Entry("0", "0", "version", setValue));
        LoggedSetIfVersion = Logged("WITH written AS (" + SetIfVersionWrite + ")" + Entry("0", "@expected", "version", setValue));
        LoggedDeleteIfVersion = Logged("WITH written AS (" + DeleteIfVersionWrite + ")" + Entry("1", "version", "version + 1", "NULL, NULL"));
    }
}
