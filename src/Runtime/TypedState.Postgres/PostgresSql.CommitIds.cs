namespace TypedState.Postgres;

// Commit ids: a writing commit claims its id first, in its own transaction, so that a repeat of it waits for it (the
// unique index) and then either finds the id remembered with its versions or, if it rolled back, applies.
internal sealed partial class PostgresSql
{
    /// <summary>
    /// Claims a commit id for the transaction (versions NULL until it is applied), and prunes up to four expired ids:
    /// each commit removes more than it adds, through the expiry index, so the table stays at about the ids of one
    /// retention period without ever being scanned. A repeat of a committed id fails here with a unique violation;
    /// one whose original is still running waits for it.
    /// </summary>
    private const string ClaimCommitTemplate =
        "WITH expired AS (DELETE FROM {s}.commit_ids WHERE id IN (SELECT id FROM {s}.commit_ids WHERE expires_at < now() " +
        "ORDER BY expires_at LIMIT 4 FOR UPDATE SKIP LOCKED)) " +
        "INSERT INTO {s}.commit_ids (id, expires_at) VALUES (@commit, now() + @retention)";

    /// <summary>Stores the versions of an applied batch under its claimed id, just before the transaction commits.</summary>
    private const string RememberCommitTemplate = "UPDATE {s}.commit_ids SET versions = @versions WHERE id = @commit";

    /// <summary>The versions remembered for a commit id (no row: not remembered).</summary>
    private const string RecallCommitTemplate = "SELECT versions FROM {s}.commit_ids WHERE id = @commit";

    /// <summary>The end of a single write with a commit id that always applies: its version is remembered.</summary>
    private const string RememberAlways =
        "remembered AS (UPDATE {s}.commit_ids SET versions = ARRAY[(SELECT version FROM written)] WHERE id = @commit)";

    /// <summary>A delete of an absent key applies as a no-op of version 0, and is remembered as such.</summary>
    private const string RememberAbsentAsZero =
        "remembered AS (UPDATE {s}.commit_ids SET versions = ARRAY[coalesce((SELECT version FROM written), 0)] WHERE id = @commit)";

    /// <summary>
    /// The end of a conditional single write with a commit id: remembered if it wrote, otherwise the claim is given
    /// back, so that the refused write is not remembered and a later attempt under the same id can apply.
    /// </summary>
    private const string RememberIfWritten =
        "remembered AS (UPDATE {s}.commit_ids SET versions = ARRAY[(SELECT version FROM written)] WHERE id = @commit AND EXISTS (SELECT 1 FROM written)), " +
        "forgotten AS (DELETE FROM {s}.commit_ids WHERE id = @commit AND NOT EXISTS (SELECT 1 FROM written))";

    /// <summary>The name of the unique index a repeated claim violates.</summary>
    public const string CommitIdIndex = "commit_ids_pkey";

    public string ClaimCommit { get; }

    public string RememberCommit { get; }

    public string RecallCommit { get; }
}
