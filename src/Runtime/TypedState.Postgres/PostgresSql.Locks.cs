namespace TypedState.Postgres;

// Locks and fences, and the advisory locks that order commits, grants and removals.
// Locks: one row per locked resource (the key, or '' for the whole owner) with the newest token granted on it, and
// one row per owner with the newest token granted on any of its resources. Rows are never deleted, so tokens only
// grow, even across owner removal. Grants, renewals and fence checks of one owner are serialized by a
// transaction-scoped advisory lock on a hash of the owner (exclusive to grant or renew, shared to check fences), so a
// fenced batch commits either wholly before a newer grant or sees its token. Resources are indexed as keys are: their
// first 128 characters and their SHA-256.
internal sealed partial class PostgresSql
{
    /// <summary>Serializes grants and renewals of one owner's locks until the transaction ends.</summary>
    public const string LockOwnerExclusive = "SELECT pg_advisory_xact_lock(1414725634, hashtext(@lock))";

    /// <summary>Keeps the owner's locks from being granted until the transaction ends; fence checks share it.</summary>
    public const string LockOwnerShared = "SELECT pg_advisory_xact_lock_shared(1414725634, hashtext(@lock))";

    /// <summary>
    /// Taken by every writing commit on each guild it touches, shared, until its transaction ends: a removal of an
    /// owner of the guild takes it exclusively, so it runs wholly before or wholly after each such commit. Without
    /// it, a removal's single DELETE at READ COMMITTED re-checks the rows a concurrent commit updated but never sees
    /// the rows it inserted, and keeps half of the commit.
    /// </summary>
    public const string LockGuildShared = "SELECT pg_advisory_xact_lock_shared(1414725635, hashtext(@lock))";

    /// <summary>Waits for the guild's running commits and holds off new ones until the removal's transaction ends.</summary>
    public const string LockGuildExclusive = "SELECT pg_advisory_xact_lock(1414725635, hashtext(@lock))";

    /// <summary>
    /// <see cref="LockOwnerExclusive"/> for a grant or renewal, positional ($1 scope, $2 guild, $3 agent): the server
    /// names the lock as the driver's OwnerLockName does, so no name is built per call.
    /// </summary>
    private const string LockOwnerForGrantTemplate =
        "SELECT pg_advisory_xact_lock(1414725634, hashtext({schema} || chr(31) || $1::text || chr(31) || $2 || chr(31) || $3))";

    /// <summary>
    /// The order of the positional parameters of the grant, renewal and release statements, as
    /// <see cref="RecordParameters"/> is for records.
    /// </summary>
    public static readonly string[] LockParameters = ["scope", "guild", "agent", "resource", "lease", "holder", "token"];

    /// <summary>The columns of the unique index of locks, as ON CONFLICT names it.</summary>
    private const string LockIndex = "(scope, guild_id, agent_id, left(resource, 128), (CASE WHEN length(resource) < 128 THEN ''::bytea " +
        "ELSE sha256(decode(replace(resource, '\\', '\\\\'), 'escape')) END))";

    /// <summary>A lock's resource digest, as the records' key digest (see <see cref="KeyDigest"/>).</summary>
    private const string ResourceDigest =
        "(CASE WHEN length(l.resource) < 128 THEN ''::bytea ELSE sha256(decode(replace(l.resource, '\\', '\\\\'), 'escape')) END)";

    private const string ResourceParameterDigest =
        "(CASE WHEN length(@resource) < 128 THEN ''::bytea ELSE sha256(decode(replace(@resource, '\\', '\\\\'), 'escape')) END)";

    /// <summary>
    /// Grants a lock unless <c>{conflict}</c> finds a held, unexpired conflicting lock: takes the owner's next token
    /// and records it on the owner and on the resource, with a lease measured by the database clock. Runs after
    /// <see cref="LockOwnerExclusive"/>, in a statement of its own so that it sees every earlier grant.
    /// </summary>
    private const string GrantTemplate =
        """
        WITH now AS (SELECT clock_timestamp() AS t),
        counter AS (
            INSERT INTO {s}.lock_owners AS o (scope, guild_id, agent_id, last_token)
            SELECT @scope, @guild, @agent, 1
            WHERE NOT EXISTS (SELECT 1 FROM {s}.locks l, now WHERE l.scope = @scope AND l.guild_id = @guild AND l.agent_id = @agent
                              AND {conflict} AND l.expires_at > now.t)
            ON CONFLICT (scope, guild_id, agent_id) DO UPDATE SET last_token = o.last_token + 1
            RETURNING last_token)
        INSERT INTO {s}.locks AS l (scope, guild_id, agent_id, resource, token, expires_at, holder)
        SELECT @scope, @guild, @agent, @resource, counter.last_token, now.t + @lease, @holder FROM counter, now
        ON CONFLICT {index} DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, holder = excluded.holder
        RETURNING token, expires_at
        """;

    /// <summary>A key lock conflicts with the owner lock and with the same key's lock.</summary>
    private const string KeyLockConflict = "left(l.resource, 128) IN ('', left(@resource, 128)) AND l.resource IN ('', @resource)";

    /// <summary>An owner lock conflicts with every lock of the owner.</summary>
    private const string OwnerLockConflict = "TRUE";

    private const string ResourceIs =
        "left(l.resource, 128) = left(@resource, 128) AND " + ResourceDigest + " = " + ResourceParameterDigest + " AND l.resource = @resource";

    private const string RenewTemplate =
        "UPDATE {s}.locks AS l SET expires_at = now.t + @lease FROM (SELECT clock_timestamp() AS t) AS now " +
        "WHERE l.scope = @scope AND l.guild_id = @guild AND l.agent_id = @agent AND " + ResourceIs + " " +
        "AND l.token = @token AND l.expires_at > now.t RETURNING l.token, l.expires_at";

    private const string ReleaseTemplate =
        "UPDATE {s}.locks AS l SET expires_at = '-infinity' WHERE l.scope = @scope AND l.guild_id = @guild AND l.agent_id = @agent AND " +
        ResourceIs + " AND l.token = @token";

    /// <summary>The newest token of a lock covering a key fence: the owner lock and the key's lock.</summary>
    private const string KeyFenceTokenTemplate =
        "SELECT coalesce(max(token), 0) FROM {s}.locks AS l WHERE l.scope = @scope AND l.guild_id = @guild AND l.agent_id = @agent AND " + KeyLockConflict;

    /// <summary>The newest token of a lock covering an owner fence: every lock of the owner.</summary>
    private const string OwnerFenceTokenTemplate =
        "SELECT coalesce((SELECT last_token FROM {s}.lock_owners WHERE " + Owner + "), 0)";

    /// <summary>
    /// Held locks by (scope, guild, agent, resource), code point order (COLLATE "C"; the owner lock's '' first), one
    /// page after a cursor. Released locks have expires_at -infinity, so the lease test drops them too.
    /// </summary>
    private const string HeldLocksHead =
        "SELECT scope, guild_id, agent_id, resource, token, expires_at, holder FROM {s}.locks WHERE expires_at > clock_timestamp()";

    private const string HeldLocksTail = " ORDER BY scope, guild_id, agent_id, resource LIMIT @limit";

    /// <summary>Held locks of every scope: the first page.</summary>
    public string ListLocksFirst => field ??= Build(HeldLocksHead + HeldLocksTail);

    /// <summary>Held locks of every scope after the cursor (@scope, @guild, @agent, @resource).</summary>
    public string ListLocksNext => field ??= Build(HeldLocksHead + " AND (scope, guild_id, agent_id, resource) > (@scope, @guild, @agent, @resource)" + HeldLocksTail);

    /// <summary>Held locks of @scope: the first page.</summary>
    public string ListScopeLocksFirst => field ??= Build(HeldLocksHead + " AND scope = @scope" + HeldLocksTail);

    /// <summary>Held locks of @scope after the cursor (@guild, @agent, @resource).</summary>
    public string ListScopeLocksNext => field ??= Build(HeldLocksHead + " AND scope = @scope AND (guild_id, agent_id, resource) > (@guild, @agent, @resource)" + HeldLocksTail);

    /// <summary>As <see cref="LockOwnerExclusive"/>, positional (see <see cref="LockOwnerForGrantTemplate"/>).</summary>
    public string LockOwnerForGrant { get; private set; } = "";

    /// <summary>Positional (<see cref="LockParameters"/>), as are <see cref="GrantOwnerLock"/>, <see cref="RenewLock"/> and <see cref="ReleaseLock"/>.</summary>
    public string GrantKeyLock { get; }

    public string GrantOwnerLock { get; }

    public string RenewLock { get; }

    public string ReleaseLock { get; }

    public string KeyFenceToken { get; }

    public string OwnerFenceToken { get; }
}
