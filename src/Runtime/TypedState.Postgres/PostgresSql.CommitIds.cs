namespace TypedState.Postgres;

// Commit ids: applied commits are remembered in commit_ids, unique on the id, in the transaction that applies them, so
// that a repeat waits for a running original (its row locks and its uncommitted id) and then finds the id remembered
// with its versions, or applies if the original rolled back.
internal sealed partial class PostgresSql
{
    /// <summary>How many expired ids one prune deletes at most (see PostgresStateDriver.CommitIds.cs for how often).</summary>
    public const int PruneLimit = 256;

    /// <summary>
    /// A batch's claim of its commit id, the first statement of its transaction (versions NULL until it commits): a
    /// repeat of a committed id fails here with a unique violation; one whose original is still running waits for it.
    /// Positional: $1 the id, $2 its retention.
    /// </summary>
    private const string ClaimCommitTemplate = "INSERT INTO {s}.commit_ids (id, expires_at) VALUES ($1, now() + $2)";

    /// <summary>Stores the versions of an applied batch under its claimed id, just before the transaction commits ($1 the versions, $2 the id).</summary>
    private const string RememberCommitTemplate = "UPDATE {s}.commit_ids SET versions = $1 WHERE id = $2";

    /// <summary>The versions remembered for a commit id (no row: not remembered).</summary>
    private const string RecallCommitTemplate = "SELECT versions FROM {s}.commit_ids WHERE id = @commit";

    /// <summary>Deletes up to <see cref="PruneLimit"/> expired ids, oldest first, through the expiry index: never a scan.</summary>
    private const string PruneCommitsTemplate =
        "DELETE FROM {s}.commit_ids WHERE id IN (SELECT id FROM {s}.commit_ids WHERE expires_at < now() ORDER BY expires_at LIMIT 256 FOR UPDATE SKIP LOCKED)";

    /// <summary>
    /// The end of a single write with a commit id, in the write's own statement: the id and the version written are
    /// remembered if it wrote (a refused write is not). The id is claimed after the write, but a repeat still waits
    /// for a running original: both write the same record, so the repeat waits for the original's row lock (or, for
    /// a delete of an absent key, for its uncommitted id), then fails on the id, or is refused and finds it (see
    /// <see cref="LiveVersionOrRemembered"/>).
    /// </summary>
    private const string RememberIfWritten =
        "claimed AS (INSERT INTO {s}.commit_ids (id, versions, expires_at) SELECT @commit, ARRAY[version], now() + @retention FROM written)";

    /// <summary>A delete of an absent key applies as a no-op of version 0, and is remembered as such.</summary>
    private const string RememberAbsentAsZero =
        "claimed AS (INSERT INTO {s}.commit_ids (id, versions, expires_at) VALUES (@commit, ARRAY[coalesce((SELECT version FROM written), 0)], now() + @retention))";

    /// <summary>
    /// The live version of a record and the versions remembered for a commit id, read after a refused write only, in
    /// a statement of its own: a write refused because its original already applied (and changed the record) finds
    /// the original's result here, so the write's own statement spends nothing on that rare case.
    /// </summary>
    private const string LiveVersionOrRememberedTemplate =
        "SELECT (SELECT version FROM {s}.records WHERE " + Record + " AND " + Live + "), (SELECT versions FROM {s}.commit_ids WHERE id = @commit)";

    /// <summary>The name of the unique index a repeated id violates.</summary>
    public const string CommitIdIndex = "commit_ids_pkey";

    public string ClaimCommit { get; }

    public string RememberCommit { get; }

    public string RecallCommit { get; }

    public string PruneCommits { get; }

    public string LiveVersionOrRemembered { get; }
}
