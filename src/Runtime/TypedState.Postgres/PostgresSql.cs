namespace TypedState.Postgres;

/// <summary>
/// Every statement the driver runs, in one class, all parameterized: those of records, listings and locks here,
/// those that create and upgrade the storage layout in PostgresSql.StorageLayout.cs. The templates name the schema
/// as <c>{s}</c>; <see cref="PostgresSql(string, PostgresValueStorage)"/> fills in the quoted schema once per driver.
/// </summary>
/// <remarks>
/// <para>Records live in one table keyed by (scope, guild_id, agent_id, key). A value is held in exactly one of two
/// columns: <c>value jsonb</c>, for documents PostgreSQL can hold as jsonb (queryable in SQL), or
/// <c>value_bytes bytea</c>, the exact bytes of anything else (see <see cref="JsonbDocuments"/>), and of every value
/// under <see cref="PostgresValueStorage.Bytea"/>. Both NULL is a tombstone that keeps a deleted key's version so a
/// re-created key never reuses one. Text columns use the "C" collation, so keys compare
/// by code point whatever the database's collation, and a prefix is matched as the key range
/// [prefix, StateKeyOrder.PrefixUpperBound(prefix)) — never with LIKE, so no character in a key is special.</para>
/// <para>Locks: one row per locked resource (the key, or '' for the whole owner) with the newest token granted on it,
/// and one row per owner with the newest token granted on any of its resources. Rows are never deleted, so tokens
/// only grow, even across owner removal. Grants, renewals and fence checks of one owner are serialized by a
/// transaction-scoped advisory lock on a hash of the owner (exclusive to grant or renew, shared to check fences),
/// so a fenced batch commits either wholly before a newer grant or sees its token.</para>
/// </remarks>
internal sealed partial class PostgresSql
{
    /// <summary>Whether a record is live: it holds a value in one of its two columns (both NULL is a tombstone).</summary>
    public const string Live = "(value IS NOT NULL OR value_bytes IS NOT NULL)";

    private const string Owner = "scope = @scope AND guild_id = @guild AND agent_id = @agent";

    private const string Record = Owner + " AND key = @key";

    private const string Columns = "(scope, guild_id, agent_id, key, value, value_bytes, version)";

    /// <summary>
    /// The value travels as two parameters, one of them NULL: <c>@value</c> (jsonb, sent as its UTF-8 text) when
    /// <see cref="JsonbDocuments.CanStore"/> says jsonb holds it, otherwise <c>@value_bytes</c> (bytea).
    /// </summary>
    private const string Values = "@value, @value_bytes";

    private const string Tombstone = "value IS NULL AND value_bytes IS NULL";

    private const string ReadTemplate = "SELECT value, value_bytes, version FROM {s}.records WHERE " + Record + " AND " + Live;

    private const string LiveVersionTemplate = "SELECT version FROM {s}.records WHERE " + Record + " AND " + Live;

    /// <summary>
    /// The live version of a record (0 when absent or deleted), row-locked until the transaction ends so that a
    /// transaction's reads still hold when it commits. An absent key gets a placeholder tombstone of version 0 to
    /// lock, so that it cannot be created concurrently either; a later set gives it version 1.
    /// </summary>
    private const string LockedLiveVersionTemplate =
        "INSERT INTO {s}.records AS r " + Columns + " VALUES (@scope, @guild, @agent, @key, NULL, NULL, 0) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET version = r.version " +
        "RETURNING CASE WHEN r.value IS NULL AND r.value_bytes IS NULL THEN 0 ELSE r.version END";

    private const string Replace = "value = excluded.value, value_bytes = excluded.value_bytes, version = r.version + 1";

    private const string SetAnyTemplate =
        "INSERT INTO {s}.records AS r " + Columns + " VALUES (@scope, @guild, @agent, @key, " + Values + ", 1) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET " + Replace + " " +
        "RETURNING r.version";

    /// <summary>
    /// The head of a conditional write: <c>seen</c> is the live version in the statement's snapshot. The statements
    /// return one row, (the version written or NULL, the version seen), so a failed condition is reported without
    /// another query. When the snapshot cannot explain the failure (the row changed while the statement waited for
    /// its lock, and PostgreSQL re-checked the newer row), the driver reads the live version again.
    /// </summary>
    private const string Seen =
        "WITH seen AS (SELECT CASE WHEN " + Tombstone + " THEN 0 ELSE version END AS live FROM {s}.records WHERE " + Record + "), ";

    private const string Witness = " SELECT (SELECT version FROM written), coalesce((SELECT live FROM seen), 0)";

    private const string SetIfAbsentTemplate =
        Seen + "written AS (INSERT INTO {s}.records AS r " + Columns + " VALUES (@scope, @guild, @agent, @key, " + Values + ", 1) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET " + Replace + " " +
        "WHERE r.value IS NULL AND r.value_bytes IS NULL RETURNING r.version)" + Witness;

    private const string SetIfVersionTemplate =
        Seen + "written AS (UPDATE {s}.records SET value = @value, value_bytes = @value_bytes, version = version + 1 WHERE " + Record +
        " AND " + Live + " AND version = @expected RETURNING version)" + Witness;

    private const string DeleteAnyTemplate =
        "UPDATE {s}.records SET value = NULL, value_bytes = NULL, version = version + 1 WHERE " + Record + " AND " + Live + " RETURNING version - 1";

    private const string DeleteIfVersionTemplate =
        Seen + "written AS (UPDATE {s}.records SET value = NULL, value_bytes = NULL, version = version + 1 WHERE " + Record +
        " AND " + Live + " AND version = @expected RETURNING version - 1 AS version)" + Witness;

    private const string ListHead =
        "SELECT key, value, value_bytes, version FROM {s}.records WHERE " + Owner + " AND " + Live + " AND ";

    private const string ListTail = " ORDER BY key LIMIT @limit";

    /// <summary>
    /// The owners of a scope holding a live record, one page after a (guild, agent) cursor. The primary key's
    /// (scope, guild_id, agent_id) prefix, in the columns' "C" collation, gives the code point order and the
    /// row-comparison range, so no extra index is needed.
    /// </summary>
    private const string OwnersHead = "SELECT DISTINCT guild_id, agent_id FROM {s}.records WHERE scope = @scope AND " + Live;

    private const string OwnersTail = " ORDER BY guild_id, agent_id LIMIT @limit";

    private const string RemoveAgentTemplate = "DELETE FROM {s}.records WHERE scope = 1 AND guild_id = @guild AND agent_id = @agent";

    /// <summary>A guild's own records and those of its agents, in one statement.</summary>
    private const string RemoveGuildTemplate = "DELETE FROM {s}.records WHERE scope IN (1, 2) AND guild_id = @guild";

    /// <summary>Serializes grants and renewals of one owner's locks until the transaction ends.</summary>
    public const string LockOwnerExclusive = "SELECT pg_advisory_xact_lock(1414725634, hashtext(@lock))";

    /// <summary>Keeps the owner's locks from being granted until the transaction ends; fence checks share it.</summary>
    public const string LockOwnerShared = "SELECT pg_advisory_xact_lock_shared(1414725634, hashtext(@lock))";

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
        INSERT INTO {s}.locks AS l (scope, guild_id, agent_id, resource, token, expires_at)
        SELECT @scope, @guild, @agent, @resource, counter.last_token, now.t + @lease FROM counter, now
        ON CONFLICT (scope, guild_id, agent_id, resource) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
        RETURNING token, expires_at
        """;

    /// <summary>A key lock conflicts with the owner lock and with the same key's lock.</summary>
    private const string KeyLockConflict = "l.resource IN ('', @resource)";

    /// <summary>An owner lock conflicts with every lock of the owner.</summary>
    private const string OwnerLockConflict = "TRUE";

    private const string RenewTemplate =
        "UPDATE {s}.locks AS l SET expires_at = now.t + @lease FROM (SELECT clock_timestamp() AS t) AS now " +
        "WHERE l.scope = @scope AND l.guild_id = @guild AND l.agent_id = @agent AND l.resource = @resource " +
        "AND l.token = @token AND l.expires_at > now.t RETURNING l.token, l.expires_at";

    private const string ReleaseTemplate =
        "UPDATE {s}.locks SET expires_at = '-infinity' WHERE " + Owner + " AND resource = @resource AND token = @token";

    /// <summary>The newest token of a lock covering a key fence: the owner lock and the key's lock.</summary>
    private const string KeyFenceTokenTemplate =
        "SELECT coalesce(max(token), 0) FROM {s}.locks WHERE " + Owner + " AND resource IN ('', @resource)";

    /// <summary>The newest token of a lock covering an owner fence: every lock of the owner.</summary>
    private const string OwnerFenceTokenTemplate =
        "SELECT coalesce((SELECT last_token FROM {s}.lock_owners WHERE " + Owner + "), 0)";

    /// <summary>
    /// The order of the positional parameters of the record statements (reads and writes of one record): each
    /// statement numbers the names it uses in this order, <c>$1</c> up, and the driver adds its parameters, unnamed,
    /// in the same order. Unnamed parameters spare Npgsql from parsing the SQL for names on every call.
    /// </summary>
    public static readonly string[] RecordParameters = ["scope", "guild", "agent", "key", "value", "value_bytes", "expected"];

    /// <summary>The order of the positional parameters of the listing statements, as <see cref="RecordParameters"/>.</summary>
    public static readonly string[] ListParameters = ["scope", "guild", "agent", "lower", "upper", "limit"];

    /// <summary>Builds the statements of one driver: <paramref name="schema"/> must already be validated.</summary>
    public PostgresSql(string schema, PostgresValueStorage storage)
    {
        Schema = schema;
        QuotedSchema = "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        Storage = storage;

        string Build(string template) => template.Replace("{s}", QuotedSchema, StringComparison.Ordinal);
        string Record(string template) => Positional(Build(template), RecordParameters);
        string List(string template) => Positional(Build(template), ListParameters);

        LayoutVersionTable = QuotedSchema + ".schema_version";
        CreateSchema = Build(CreateSchemaTemplate);
        CreateLayoutVersionTable = Build(CreateLayoutVersionTableTemplate);
        ReadLayoutVersion = Build(ReadLayoutVersionTemplate);
        WriteLayoutVersion = Build(WriteLayoutVersionTemplate);
        LayoutUpgrades = Array.ConvertAll(s_layoutUpgradeTemplates, Build);
        Read = Record(ReadTemplate);
        LiveVersion = Record(LiveVersionTemplate);
        LockedLiveVersion = Record(LockedLiveVersionTemplate);
        SetAny = Record(SetAnyTemplate);
        SetIfAbsent = Record(SetIfAbsentTemplate);
        SetIfVersion = Record(SetIfVersionTemplate);
        DeleteAny = Record(DeleteAnyTemplate);
        DeleteIfVersion = Record(DeleteIfVersionTemplate);
        ListFirstBounded = List(ListHead + "key >= @lower AND key < @upper" + ListTail);
        ListNextBounded = List(ListHead + "key > @lower AND key < @upper" + ListTail);
        ListFirstUnbounded = List(ListHead + "key >= @lower" + ListTail);
        ListNextUnbounded = List(ListHead + "key > @lower" + ListTail);
        ListOwnersFirst = Build(OwnersHead + OwnersTail);
        ListOwnersNext = Build(OwnersHead + " AND (guild_id, agent_id) > (@guild, @agent)" + OwnersTail);
        RemoveAgent = Build(RemoveAgentTemplate);
        RemoveGuild = Build(RemoveGuildTemplate);
        GrantKeyLock = Build(GrantTemplate.Replace("{conflict}", KeyLockConflict, StringComparison.Ordinal));
        GrantOwnerLock = Build(GrantTemplate.Replace("{conflict}", OwnerLockConflict, StringComparison.Ordinal));
        RenewLock = Build(RenewTemplate);
        ReleaseLock = Build(ReleaseTemplate);
        KeyFenceToken = Build(KeyFenceTokenTemplate);
        OwnerFenceToken = Build(OwnerFenceTokenTemplate);
    }

    /// <summary>
    /// Rewrites the <c>@name</c> parameters of <paramref name="sql"/> as <c>$1</c>, <c>$2</c>, …: the names it uses,
    /// numbered in the order of <paramref name="order"/>. A name not in <paramref name="order"/> is a bug of this class.
    /// </summary>
    internal static string Positional(string sql, string[] order)
    {
        static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

        // First the names used, then their numbers in the given order.
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = sql.IndexOf('@', StringComparison.Ordinal); i >= 0; i = sql.IndexOf('@', i + 1))
        {
            var end = i + 1;
            while (end < sql.Length && IsNameChar(sql[end]))
            {
                end++;
            }

            var name = sql[(i + 1)..end];
            if (Array.IndexOf(order, name) < 0)
            {
                throw new InvalidOperationException($"The statement parameter @{name} has no position: {sql}");
            }

            used.Add(name);
        }

        var numbers = order.Where(used.Contains).Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index + 1, StringComparer.Ordinal);
        var result = new System.Text.StringBuilder(sql.Length);
        for (var i = 0; i < sql.Length; i++)
        {
            if (sql[i] != '@')
            {
                result.Append(sql[i]);
                continue;
            }

            var end = i + 1;
            while (end < sql.Length && IsNameChar(sql[end]))
            {
                end++;
            }

            result.Append('$').Append(numbers[sql[(i + 1)..end]].ToString(System.Globalization.CultureInfo.InvariantCulture));
            i = end - 1;
        }

        return result.ToString();
    }

    /// <summary>The schema name as configured (unquoted).</summary>
    public string Schema { get; }

    /// <summary>The schema name as a quoted identifier.</summary>
    public string QuotedSchema { get; }

    /// <summary>Where this driver writes values: jsonb when it can (the default), or always the exact bytes.</summary>
    public PostgresValueStorage Storage { get; }

    public string Read { get; }

    public string LiveVersion { get; }

    public string LockedLiveVersion { get; }

    public string SetAny { get; }

    public string SetIfAbsent { get; }

    public string SetIfVersion { get; }

    public string DeleteAny { get; }

    public string DeleteIfVersion { get; }

    /// <summary>Listing pages: [first page | later page] × [bounded prefix | empty prefix].</summary>
    public string ListFirstBounded { get; }

    public string ListNextBounded { get; }

    public string ListFirstUnbounded { get; }

    public string ListNextUnbounded { get; }

    /// <summary>Owner listing pages: the first, and those after the cursor (@guild, @agent).</summary>
    public string ListOwnersFirst { get; }

    public string ListOwnersNext { get; }

    public string RemoveAgent { get; }

    public string RemoveGuild { get; }

    public string GrantKeyLock { get; }

    public string GrantOwnerLock { get; }

    public string RenewLock { get; }

    public string ReleaseLock { get; }

    public string KeyFenceToken { get; }

    public string OwnerFenceToken { get; }
}
