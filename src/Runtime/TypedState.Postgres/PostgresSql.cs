namespace TypedState.Postgres;

/// <summary>
/// Every statement the driver runs, in one class, all parameterized: those of records, listings and removal here,
/// locks in PostgresSql.Locks.cs, commit ids in PostgresSql.CommitIds.cs, the storage layout in
/// PostgresSql.StorageLayout.cs. The templates name the schema as <c>{s}</c>;
/// <see cref="PostgresSql(string, PostgresValueStorage)"/> fills in the quoted schema once per driver.
/// </summary>
/// <remarks>
/// <para>Records live in one table, one row per (scope, guild_id, agent_id, key). A value is held in exactly one of
/// two columns: <c>value jsonb</c>, for documents PostgreSQL can hold as jsonb (queryable in SQL), or
/// <c>value_bytes bytea</c>, the exact bytes of anything else (see <see cref="JsonbDocuments"/>), and of every value
/// under <see cref="PostgresValueStorage.Bytea"/>. Both NULL is a tombstone that keeps a deleted key's version so a
/// re-created key never reuses one. Text columns use the "C" collation, so keys compare by code point whatever the
/// database's collation, and a prefix is matched as the key range [prefix, StateKeyOrder.PrefixUpperBound(prefix))
/// — never with LIKE, so no character in a key is special.</para>
/// <para>Keys up to 8192 characters of 4 bytes do not fit a btree entry (2704 bytes), so the unique index holds a
/// record's owner, the first <see cref="KeyHeadLength"/> characters of its key and the SHA-256 of the whole key;
/// lookups compare the key itself as well. Listings read the index in (owner, key head) order; only keys sharing
/// their first <see cref="KeyHeadLength"/> characters need the driver to order them further.</para>
/// <para>A record created where no row exists starts above its guild's version floor (<c>guild_floors</c>, raised
/// by owner removal), so a version read before a removal never matches a record created after it.</para>
/// </remarks>
internal sealed partial class PostgresSql
{
    /// <summary>
    /// How many characters of a key the index holds: with owner ids of 256 UTF-16 code units (at most 1024 bytes
    /// each, in any server encoding) and the digest, an entry stays under the btree limit of 2704 bytes.
    /// </summary>
    public const int KeyHeadLength = 128;

    /// <summary>Whether a record is live: it holds a value in one of its two columns (both NULL is a tombstone).</summary>
    public const string Live = "(value IS NOT NULL OR value_bytes IS NOT NULL)";

    private const string Owner = "scope = @scope AND guild_id = @guild AND agent_id = @agent";

    /// <summary>
    /// The digest of a key in the index (storage layout 9): empty for a key shorter than <see cref="KeyHeadLength"/>
    /// characters, which is its own head (no longer key's head equals it), so writing or finding it computes no hash;
    /// otherwise the SHA-256 of the key's bytes in the database encoding. convert_to is not immutable, so an index
    /// cannot use it; decode(…, 'escape') of the text with its backslashes doubled yields the same bytes and is.
    /// </summary>
    private const string KeyDigest = "(CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\\', '\\\\'), 'escape')) END)";

    private const string KeyParameterDigest = "(CASE WHEN length(@key) < 128 THEN ''::bytea ELSE sha256(decode(replace(@key, '\\', '\\\\'), 'escape')) END)";

    /// <summary>The columns of the unique index of records, as ON CONFLICT names it.</summary>
    private const string RecordIndex = "(scope, guild_id, agent_id, left(key, 128), " + KeyDigest + ")";

    /// <summary>One record: the index's columns (so the lookup is one index probe), then the key itself.</summary>
    private const string Record = Owner + " AND left(key, 128) = left(@key, 128) AND " + KeyDigest + " = " + KeyParameterDigest + " AND key = @key";

    private const string Columns = "(scope, guild_id, agent_id, key, value, value_bytes, version)";

    /// <summary>
    /// The value travels as two parameters, one of them NULL: <c>@value</c> (jsonb, sent as its UTF-8 text) when
    /// <see cref="JsonbDocuments.CanStore"/> says jsonb holds it, otherwise <c>@value_bytes</c> (bytea).
    /// </summary>
    private const string Values = "@value, @value_bytes";

    /// <summary>The version of a record created where no row exists: one above its guild's floor (0 unless removed).</summary>
    private const string FirstVersion = "coalesce((SELECT floor FROM {s}.guild_floors WHERE guild_id = @guild), 0) + 1";

    private const string Tombstone = "value IS NULL AND value_bytes IS NULL";

    /// <summary>A record's row, live or a tombstone (a read filters it; a fork's tombstone hides what it inherits).</summary>
    private const string OwnRowTemplate = "SELECT value, value_bytes, version FROM {s}.records WHERE " + Record;

    private const string LiveVersionTemplate = "SELECT version FROM {s}.records WHERE " + Record + " AND " + Live;

    /// <summary>
    /// The live version of a record (0 when absent or deleted), row-locked until the transaction ends so that a
    /// transaction's reads still hold when it commits. An absent key gets a placeholder of version 0 to lock, so that
    /// it cannot be created concurrently either; <see cref="ForgetPlaceholders"/> deletes it before the transaction
    /// ends, so it is never seen outside (a writer waiting for it then inserts its own row).
    /// </summary>
    private const string LockedLiveVersionTemplate =
        "INSERT INTO {s}.records AS r " + Columns + " VALUES (@scope, @guild, @agent, @key, NULL, NULL, 0) " +
        "ON CONFLICT " + RecordIndex + " DO UPDATE SET version = r.version " +
        "RETURNING CASE WHEN r.value IS NULL AND r.value_bytes IS NULL THEN 0 ELSE r.version END";

    /// <summary>
    /// Deletes the placeholders a writing batch's checks inserted (version 0, no value), keyed by arrays of owners and
    /// keys; the rows stay locked by the transaction until it ends.
    /// </summary>
    private const string ForgetPlaceholdersTemplate =
        "DELETE FROM {s}.records AS r USING unnest($1::smallint[], $2::text[], $3::text[], $4::text[]) AS c(scope, guild_id, agent_id, key) " +
        "WHERE r.scope = c.scope AND r.guild_id = c.guild_id AND r.agent_id = c.agent_id AND left(r.key, 128) = left(c.key, 128) " +
        "AND (CASE WHEN length(r.key) < 128 THEN ''::bytea ELSE sha256(decode(replace(r.key, '\\', '\\\\'), 'escape')) END) " +
        "= (CASE WHEN length(c.key) < 128 THEN ''::bytea ELSE sha256(decode(replace(c.key, '\\', '\\\\'), 'escape')) END) " +
        "AND r.key = c.key AND r.version = 0 AND r.value IS NULL AND r.value_bytes IS NULL";

    private const string Replace = "value = excluded.value, value_bytes = excluded.value_bytes, version = r.version + 1";

    private const string SetAnyWrite =
        "INSERT INTO {s}.records AS r " + Columns + " VALUES (@scope, @guild, @agent, @key, " + Values + ", " + FirstVersion + ") " +
        "ON CONFLICT " + RecordIndex + " DO UPDATE SET " + Replace + " RETURNING r.version";

    /// <summary>
    /// The live version a statement's snapshot holds for its record, as a CTE <c>seen</c>: a logged unconditional set
    /// records it as its entry's previous version. A conditional write does not read it: on the common path (the
    /// write applies) it is never needed, and a refused write returns no row, after which the driver reads the live
    /// version (and the versions remembered for its commit id) in a statement of its own, only then.
    /// </summary>
    private const string Seen =
        "WITH seen AS (SELECT CASE WHEN " + Tombstone + " THEN 0 ELSE version END AS live FROM {s}.records WHERE " + Record + "), ";

    /// <summary>
    /// The conditional writes, each one plain statement returning the version written, or no row when the condition
    /// fails: no CTE and no subquery runs (or is set up) on the common path.
    /// </summary>
    private const string SetIfAbsentWrite =
        "INSERT INTO {s}.records AS r " + Columns + " VALUES (@scope, @guild, @agent, @key, " + Values + ", " + FirstVersion + ") " +
        "ON CONFLICT " + RecordIndex + " DO UPDATE SET " + Replace + " WHERE r.value IS NULL AND r.value_bytes IS NULL RETURNING r.version";

    private const string SetIfVersionWrite =
        "UPDATE {s}.records SET value = @value, value_bytes = @value_bytes, version = version + 1 WHERE " + Record +
        " AND " + Live + " AND version = @expected RETURNING version";

    private const string DeleteAnyWrite =
        "UPDATE {s}.records SET value = NULL, value_bytes = NULL, version = version + 1 WHERE " + Record + " AND " + Live + " RETURNING version - 1 AS version";

    private const string DeleteIfVersionWrite =
        "UPDATE {s}.records SET value = NULL, value_bytes = NULL, version = version + 1 WHERE " + Record +
        " AND " + Live + " AND version = @expected RETURNING version - 1 AS version";

    /// <summary>
    /// A listing page: the owner's live records from a lower bound, in the index's (key head) order, so the page is
    /// read straight from the index and stops at the limit. Keys sharing their head come in no particular order; the
    /// driver sorts them (see PostgresStateDriver.Listing.cs).
    /// </summary>
    private const string ListHead =
        "SELECT key, value, value_bytes, version FROM {s}.records WHERE " + Owner + " AND " + Live + " AND left(key, 128) >= left(@lower, 128) AND ";

    private const string ListUpper = " AND left(key, 128) <= left(@upper, 128) AND key < @upper";

    private const string ListTail = " ORDER BY left(key, 128) LIMIT @limit";

    /// <summary>
    /// A page of the keys sharing the head of <c>@head</c>, in key order: read when a whole listing page holds one
    /// head (thousands of long keys that agree on their first 128 characters), so only such a group is sorted.
    /// </summary>
    private const string ListGroupTemplate =
        "SELECT key, value, value_bytes, version FROM {s}.records WHERE " + Owner + " AND " + Live +
        " AND left(key, 128) = left(@head, 128) AND (key > @lower OR (@inclusive AND key = @lower)) AND (@upper::text IS NULL OR key < @upper)" +
        " ORDER BY key LIMIT @limit";

    /// <summary>
    /// The owners of a scope holding a live record, one page after a (guild, agent) cursor. The index's
    /// (scope, guild_id, agent_id) prefix, in the columns' "C" collation, gives the code point order and the
    /// row-comparison range, so no extra index is needed.
    /// </summary>
    private const string OwnersHead = "SELECT DISTINCT guild_id, agent_id FROM {s}.records WHERE scope = @scope AND " + Live;

    private const string OwnersTail = " ORDER BY guild_id, agent_id LIMIT @limit";

    /// <summary>Raises the guild's floor to the highest version removed (records and tombstones).</summary>
    private const string RaiseFloor =
        "floor AS (INSERT INTO {s}.guild_floors AS f (guild_id, floor) SELECT @guild, max(version) FROM removed HAVING max(version) > 0 " +
        "ON CONFLICT (guild_id) DO UPDATE SET floor = greatest(f.floor, excluded.floor)) SELECT count(*) FROM removed";

    private const string RemoveAgentTemplate =
        "WITH removed AS (DELETE FROM {s}.records WHERE scope = 1 AND guild_id = @guild AND agent_id = @agent RETURNING version), " + RaiseFloor;

    /// <summary>A guild's own records and those of its agents, in one statement.</summary>
    private const string RemoveGuildTemplate =
        "WITH removed AS (DELETE FROM {s}.records WHERE scope IN (1, 2) AND guild_id = @guild RETURNING version), " + RaiseFloor;

    /// <summary>
    /// The order of the positional parameters of the record statements (reads and writes of one record): each
    /// statement numbers the names it uses in this order, <c>$1</c> up, and the driver adds its parameters, unnamed,
    /// in the same order. Unnamed parameters spare Npgsql from parsing the SQL for names on every call.
    /// </summary>
    public static readonly string[] RecordParameters = ["scope", "guild", "agent", "key", "value", "value_bytes", "expected", "commit", "retention"];

    /// <summary>The order of the positional parameters of the listing statements, as <see cref="RecordParameters"/>.</summary>
    public static readonly string[] ListParameters = ["scope", "guild", "agent", "lower", "upper", "limit"];

    /// <summary>Builds the statements of one driver: <paramref name="schema"/> must already be validated.</summary>
    public PostgresSql(string schema, PostgresValueStorage storage)
    {
        Schema = schema;
        QuotedSchema = "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        Storage = storage;

        string Record(string template) => Positional(Build(template), RecordParameters);
        string List(string template) => Positional(Build(template), ListParameters);

        LayoutVersionTable = QuotedSchema + ".schema_version";
        CreateSchema = Build(CreateSchemaTemplate);
        CreateLayoutVersionTable = Build(CreateLayoutVersionTableTemplate);
        ReadLayoutVersion = Build(ReadLayoutVersionTemplate);
        WriteLayoutVersion = Build(WriteLayoutVersionTemplate);
        LayoutUpgrades = Array.ConvertAll(s_layoutUpgradeTemplates, Build);
        Read = Record("WITH own AS (" + OwnRowTemplate + ") SELECT value, value_bytes, version FROM own WHERE " + Live + ReadThroughFork);
        ReadOwn = Record("(" + OwnRowTemplate + ") UNION ALL " + ReadForkMarker);
        LiveVersion = Record(LiveVersionTemplate);
        LockedLiveVersion = Record(LockedLiveVersionTemplate);
        ForgetPlaceholders = Build(ForgetPlaceholdersTemplate);
        SetAny = Record(SetAnyWrite);
        SetIfAbsent = Record(SetIfAbsentWrite);
        SetIfVersion = Record(SetIfVersionWrite);
        DeleteAny = Record(DeleteAnyWrite);
        DeleteIfVersion = Record(DeleteIfVersionWrite);
        string Remembering(string write, string remember) => Record("WITH written AS (" + write + "), " + remember + " SELECT version FROM written");
        RememberingSetAny = Remembering(SetAnyWrite, RememberIfWritten);
        RememberingSetIfAbsent = Remembering(SetIfAbsentWrite, RememberIfWritten);
        RememberingSetIfVersion = Remembering(SetIfVersionWrite, RememberIfWritten);
        RememberingDeleteAny = Remembering(DeleteAnyWrite, RememberAbsentAsZero);
        RememberingDeleteIfVersion = Remembering(DeleteIfVersionWrite, RememberIfWritten);
        LiveVersionOrRemembered = Record(LiveVersionOrRememberedTemplate);
        ListFirstBounded = List("(" + ListHead + "key >= @lower" + ListUpper + ListTail + ") UNION ALL " + ListForkMarker);
        ListNextBounded = List(ListHead + "key > @lower" + ListUpper + ListTail);
        ListFirstUnbounded = List("(" + ListHead + "key >= @lower" + ListTail + ") UNION ALL " + ListForkMarker);
        ListNextUnbounded = List(ListHead + "key > @lower" + ListTail);
        ListGroup = Build(ListGroupTemplate);
        ListOwnersFirst = Build(OwnersHead + OwnersTail);
        ListOwnersNext = Build(OwnersHead + " AND (guild_id, agent_id) > (@guild, @agent)" + OwnersTail);
        RemoveAgent = Build(RemoveAgentTemplate);
        RemoveGuild = Build(RemoveGuildTemplate);
        ClaimCommit = Build(ClaimCommitTemplate);
        RememberCommit = Build(RememberCommitTemplate);
        RecallCommit = Build(RecallCommitTemplate);
        PruneCommits = Build(PruneCommitsTemplate);
        var grant = GrantTemplate.Replace("{index}", LockIndex, StringComparison.Ordinal);
        string Lock(string template) => Positional(Build(template), LockParameters);
        GrantKeyLock = Lock(grant.Replace("{conflict}", KeyLockConflict, StringComparison.Ordinal));
        GrantOwnerLock = Lock(grant.Replace("{conflict}", OwnerLockConflict, StringComparison.Ordinal));
        RenewLock = Lock(RenewTemplate);
        ReleaseLock = Lock(ReleaseTemplate);
        LockOwnerForGrant = Build(LockOwnerForGrantTemplate);
        KeyFenceToken = Build(KeyFenceTokenTemplate);
        OwnerFenceToken = Build(OwnerFenceTokenTemplate);
        BuildTimelineStatements();
        BuildSnapshotStatements();
        BuildDetachStatements();
        BuildLoggedWriteStatements();
        // Every record statement uses the owner and the key: the key is $4 (RecordParameters, LoggedParameters); so is a lock's resource (LockParameters).
        var keyDigest = " AND " + KeyDigest + " = " + KeyParameterDigest.Replace("@key", "$4", StringComparison.Ordinal);
        foreach (var statement in (string[])[Read, ReadOwn, LiveVersion, SetIfVersion, DeleteAny, DeleteIfVersion,
            RememberingSetIfVersion, RememberingDeleteAny, RememberingDeleteIfVersion, LiveVersionOrRemembered,
            LoggedSetAny, LoggedSetAnyAlone, LoggedSetIfVersion, LoggedDeleteIfVersion])
        {
            _shortKeyForms[statement] = WithoutDigest(statement, keyDigest);
        }

        var resourceDigest = " AND " + ResourceDigest + " = " + ResourceParameterDigest.Replace("@resource", "$4", StringComparison.Ordinal);
        foreach (var statement in (string[])[RenewLock, ReleaseLock])
        {
            _shortKeyForms[statement] = WithoutDigest(statement, resourceDigest);
        }
    }

    /// <summary>
    /// <paramref name="sql"/>, a record statement (or a lock's renewal or release), in the form for <paramref name="key"/>
    /// (the lock's resource): a key shorter than
    /// <see cref="KeyHeadLength"/> UTF-16 code units (so fewer characters too) is its own index head, which no other
    /// key of the owner shares, so the index probe on (owner, key head) finds it alone and the key's SHA-256 need not be
    /// computed. Statements without that condition (inserts, whose conflict target is the index) stay as they are.
    /// </summary>
    public string ForKey(string sql, string key) =>
        key.Length < KeyHeadLength && _shortKeyForms.TryGetValue(sql, out var shortForm) ? shortForm : sql;

    /// <summary>The short-key forms (<see cref="ForKey"/>) of the record statements, by the statement (compared by reference).</summary>
    private readonly Dictionary<string, string> _shortKeyForms = new(ReferenceEqualityComparer.Instance);

    /// <summary>A positional record (or lock) statement without the comparison of its key's (resource's) digest, <paramref name="digest"/>.</summary>
    private static string WithoutDigest(string sql, string digest) =>
        sql.Contains(digest, StringComparison.Ordinal)
            ? sql.Replace(digest, string.Empty, StringComparison.Ordinal)
            : throw new InvalidOperationException("A record or lock statement has no key digest: " + sql);

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

    /// <summary>
    /// The first statement of a read: the record's own row, live or a tombstone, and a marker row (all NULL) when the
    /// owner's guild is a fork. Only a fork with no row of its own for the key runs <see cref="Read"/> after it.
    /// </summary>
    public string ReadOwn { get; }

    public string LiveVersion { get; }

    public string LockedLiveVersion { get; }

    public string ForgetPlaceholders { get; }

    public string SetAny { get; }

    public string SetIfAbsent { get; }

    public string SetIfVersion { get; }

    public string DeleteAny { get; }

    public string DeleteIfVersion { get; }

    /// <summary>Single writes with a commit id: the write, and its id remembered with its version in the same statement.</summary>
    public string RememberingSetAny { get; }

    public string RememberingSetIfAbsent { get; }

    public string RememberingSetIfVersion { get; }

    public string RememberingDeleteAny { get; }

    public string RememberingDeleteIfVersion { get; }

    /// <summary>Listing pages: [first page | later page] × [bounded prefix | empty prefix].</summary>
    public string ListFirstBounded { get; }

    public string ListNextBounded { get; }

    public string ListFirstUnbounded { get; }

    public string ListNextUnbounded { get; }

    /// <summary>A page of the keys that share one key head, in key order (named parameters).</summary>
    public string ListGroup { get; }

    /// <summary>Owner listing pages: the first, and those after the cursor (@guild, @agent).</summary>
    public string ListOwnersFirst { get; }

    public string ListOwnersNext { get; }

    public string RemoveAgent { get; }

    public string RemoveGuild { get; }

    /// <summary>
    /// Fills in the quoted schema (<c>{s}</c>) and the schema as a string literal (<c>{schema}</c>, for lock names the
    /// server builds; a valid schema name holds only letters, digits and underscores).
    /// </summary>
    private string Build(string template) => template
        .Replace("{s}", QuotedSchema, StringComparison.Ordinal)
        .Replace("{schema}", "'" + Schema + "'", StringComparison.Ordinal);
}
