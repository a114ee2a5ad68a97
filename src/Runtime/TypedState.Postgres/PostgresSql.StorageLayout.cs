namespace TypedState.Postgres;

// The statements that create the schema and keep its storage layout (the shape of the driver's tables) current.
internal sealed partial class PostgresSql
{
    /// <summary>
    /// The storage layout version (the version of the driver's tables) this driver writes and understands. 1: one
    /// <c>value</c> column, bytea or jsonb as configured. 2: <c>value jsonb</c> plus the exact-bytes fallback
    /// <c>value_bytes bytea</c>, the same for every <see cref="PostgresValueStorage"/>. 3: records and locks indexed by
    /// key head and digest (keys of any accepted length), the guilds' version floors and the remembered commit ids.
    /// 4: guild timelines (PostgresSql.TimelineLayout.cs). 5: their snapshots and pins (PostgresSql.SnapshotLayout.cs). 6: the
    /// logged commit's closing function replaced (PostgresSql.LoggedWrites.cs). 7: the
    /// holder of each lock. 8: the opening function of a one-guild logged commit (PostgresSql.LoggedWrites.cs). 9: the
    /// indexes' key digest empty for keys shorter than the key head (PostgresSql.ShortKeyDigestLayout.cs).
    /// </summary>
    public const int LayoutVersion = 9;

    /// <summary>Whether the schema's layout version table exists (the name is passed quoted, as to_regclass wants it).</summary>
    public const string LayoutVersionTableExists = "SELECT to_regclass(@table) IS NOT NULL";

    /// <summary>Whether the schema exists (the name is passed as stored, unquoted).</summary>
    public const string SchemaExists = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = @schema)";

    /// <summary>
    /// Serializes layout upgrades of one schema across processes until the transaction ends. Advisory locks of the
    /// driver use the two-key form: 1414725633 (0x54530001) for layout upgrades, 1414725634 (0x54530002) for owners'
    /// locks; the second key is a hash of the schema (and owner). A hash collision only serializes more.
    /// </summary>
    public const string LockLayoutUpgrade = "SELECT pg_advisory_xact_lock(1414725633, hashtext(@schema))";

    private const string CreateSchemaTemplate = "CREATE SCHEMA {s}";

    // The layout version lives in the table schema_version: the name existing databases carry, so it stays.
    private const string CreateLayoutVersionTableTemplate =
        "CREATE TABLE IF NOT EXISTS {s}.schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)";

    private const string ReadLayoutVersionTemplate = "SELECT version FROM {s}.schema_version WHERE id = 1";

    private const string WriteLayoutVersionTemplate =
        "INSERT INTO {s}.schema_version (id, version) VALUES (1, @version) ON CONFLICT (id) DO UPDATE SET version = excluded.version";

    /// <summary>
    /// Layout upgrades by the layout version they produce; index 0 builds version 1. A new schema runs them all, in
    /// order, in one transaction. Version 1 took its value column type (bytea or jsonb) from the configuration; new
    /// schemas create it as jsonb, and version 2 turns both kinds of version 1 into the same table.
    /// </summary>
    private static readonly string[] s_layoutUpgradeTemplates =
    [
        """
        CREATE TABLE {s}.records (
            scope    smallint    NOT NULL,
            guild_id text COLLATE "C" NOT NULL,
            agent_id text COLLATE "C" NOT NULL,
            key      text COLLATE "C" NOT NULL,
            value    jsonb,               -- NULL: a tombstone (or a placeholder locked by a transaction's read)
            version  bigint      NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id, key)
        );
        CREATE TABLE {s}.locks (
            scope      smallint    NOT NULL,
            guild_id   text COLLATE "C" NOT NULL,
            agent_id   text COLLATE "C" NOT NULL,
            resource   text COLLATE "C" NOT NULL, -- the locked key, or '' for the whole owner
            token      bigint      NOT NULL,      -- the newest fencing token granted on this resource
            expires_at timestamptz NOT NULL,      -- by the database clock; -infinity once released
            PRIMARY KEY (scope, guild_id, agent_id, resource)
        );
        CREATE TABLE {s}.lock_owners (
            scope      smallint NOT NULL,
            guild_id   text COLLATE "C" NOT NULL,
            agent_id   text COLLATE "C" NOT NULL,
            last_token bigint   NOT NULL,         -- the newest fencing token granted on any lock of the owner
            PRIMARY KEY (scope, guild_id, agent_id)
        )
        """,

        // Version 2: a bytea value column keeps its rows, byte for byte, as the fallback column and a jsonb value
        // column is added; a jsonb value column keeps its rows and gains the fallback column. Rows are not rewritten
        // (both changes only touch the catalog); rows moved to value_bytes go to jsonb when they are next written.
        // The check needs no scan (NOT VALID): in every existing row one of the two columns is the one just added.
        """
        DO $upgrade$
        BEGIN
            IF (SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                WHERE attrelid = '{s}.records'::regclass AND attname = 'value' AND NOT attisdropped) = 'bytea' THEN
                ALTER TABLE {s}.records RENAME COLUMN value TO value_bytes;
                ALTER TABLE {s}.records ADD COLUMN value jsonb;
            ELSE
                ALTER TABLE {s}.records ADD COLUMN value_bytes bytea;
            END IF;
        END
        $upgrade$;
        COMMENT ON COLUMN {s}.records.value IS 'The value as jsonb, when PostgreSQL can hold it; NULL otherwise.';
        COMMENT ON COLUMN {s}.records.value_bytes IS 'The exact bytes of a value jsonb cannot hold (or of every value with ValueStorage = Bytea); NULL otherwise. Both NULL: a tombstone.';
        ALTER TABLE {s}.records ADD CONSTRAINT records_one_value CHECK (value IS NULL OR value_bytes IS NULL) NOT VALID
        """,

        // Version 3. The primary keys on (owner, key) refused keys longer than a btree entry holds (2704 bytes, owner
        // ids included: 1024 UTF-16 code units of 4-byte characters failed beside maximum-length ids); they become
        // unique indexes on the owner, the key's first 128 characters and its SHA-256 (see PostgresSql.cs). The
        // placeholders that transactions' reads of absent keys used to leave behind (version 0, no value) are
        // deleted: reads no longer leave them. Two tables are added: the version floors of removed guilds, and the
        // commit ids remembered for a while.
        """
        DELETE FROM {s}.records WHERE version = 0 AND value IS NULL AND value_bytes IS NULL;
        ALTER TABLE {s}.records DROP CONSTRAINT records_pkey;
        CREATE UNIQUE INDEX records_key ON {s}.records (scope, guild_id, agent_id, left(key, 128), sha256(decode(replace(key, '\', '\\'), 'escape')));
        ALTER TABLE {s}.locks DROP CONSTRAINT locks_pkey;
        CREATE UNIQUE INDEX locks_resource ON {s}.locks (scope, guild_id, agent_id, left(resource, 128), sha256(decode(replace(resource, '\', '\\'), 'escape')));
        COMMENT ON COLUMN {s}.records.value_bytes IS 'The exact bytes of a value jsonb cannot hold (or of every value with ValueStorage = Bytea); NULL otherwise. Both NULL: a tombstone (version 0: a key a running transaction read as absent, locked by it).';
        CREATE TABLE {s}.guild_floors (
            guild_id text COLLATE "C" PRIMARY KEY,
            floor    bigint NOT NULL          -- the highest version removed with an owner of the guild
        );
        CREATE TABLE {s}.commit_ids (
            id         uuid PRIMARY KEY,
            versions   bigint[],              -- NULL while the claiming transaction runs
            expires_at timestamptz NOT NULL   -- by the database clock
        );
        CREATE INDEX commit_ids_expiry ON {s}.commit_ids (expires_at)
        """,

        // Version 4: guild timelines, two new tables and their functions; no existing row changes.
        TimelineLayoutTemplate,

        // Version 5: snapshots and pins of timelines, two new tables; pruning replaced to keep them; the functions of the
        // one-round-trip logged commit.
        SnapshotLayoutTemplate + LoggedCommitLayout + FinishLoggedFunction,

        // Version 6: the logged commit's closing function replaced (see FinishLoggedFunction); nothing else changes.
        FinishLoggedFunction,

        // Version 7: who holds each lock (only the catalog changes); NULL for locks granted before, which expire.
        "ALTER TABLE {s}.locks ADD COLUMN holder text",

        // Version 8: the opening function of a one-guild logged commit (see LockLoggedOneFunction); nothing else changes.
        LockLoggedOneFunction,

        // Version 9: the key digest of records', locks' and timeline entries' indexes computed for long keys only (see
        // ShortKeyDigestLayout); the indexes are rebuilt, the rows stay.
        ShortKeyDigestLayout(),
    ];

    /// <summary>The qualified, quoted name of the layout version table (for to_regclass).</summary>
    public string LayoutVersionTable { get; }

    public string CreateSchema { get; }

    public string CreateLayoutVersionTable { get; }

    public string ReadLayoutVersion { get; }

    public string WriteLayoutVersion { get; }

    public IReadOnlyList<string> LayoutUpgrades { get; }
}
