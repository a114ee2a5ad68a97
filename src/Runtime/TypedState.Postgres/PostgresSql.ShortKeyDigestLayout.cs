using System.Text.RegularExpressions;

namespace TypedState.Postgres;

// Storage layout 9: the key digest of the indexes is empty for keys shorter than the key head. Layouts 3 and 4 indexed
// the SHA-256 of every key, which each insert computed (twice for an upsert that inserts: the conflict check and the
// index entry) although a short key needs no digest to be unique: it is its own head, and no longer key's head equals
// it. The digest is kept for long keys, so keys of any accepted length still fit a btree entry.
internal sealed partial class PostgresSql
{
    /// <summary>Layout 9's indexes: layout 3's and 4's, with the key digest of <see cref="KeyDigest"/>; the rows stay.</summary>
    private const string ShortKeyDigestIndexes =
        """
        DROP INDEX {s}.records_key;
        CREATE UNIQUE INDEX records_key ON {s}.records (scope, guild_id, agent_id, left(key, 128),
            (CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\', '\\'), 'escape')) END));
        DROP INDEX {s}.locks_resource;
        CREATE UNIQUE INDEX locks_resource ON {s}.locks (scope, guild_id, agent_id, left(resource, 128),
            (CASE WHEN length(resource) < 128 THEN ''::bytea ELSE sha256(decode(replace(resource, '\', '\\'), 'escape')) END));
        DROP INDEX {s}.timeline_entries_as_of;
        CREATE INDEX timeline_entries_as_of ON {s}.timeline_entries (guild_id, scope, agent_id, left(key, 128),
            (CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\', '\\'), 'escape')) END), seq);
        DROP INDEX {s}.timeline_entries_event;
        CREATE UNIQUE INDEX timeline_entries_event ON {s}.timeline_entries (guild_id, left(key, 128),
            (CASE WHEN length(key) < 128 THEN ''::bytea ELSE sha256(decode(replace(key, '\', '\\'), 'escape')) END)) WHERE kind = 2;

        """;

    /// <summary>
    /// Version 9: the indexes rebuilt (<see cref="ShortKeyDigestIndexes"/>), and the functions that compare key digests
    /// (the timeline's reads and <c>prune_timeline</c>) re-created with the new digest, so their lookups still use the
    /// indexes. They are layouts 4's and 5's functions with only the digest changed (<see cref="WithShortKeyDigests"/>).
    /// </summary>
    private static string ShortKeyDigestLayout() =>
        ShortKeyDigestIndexes
        + WithShortKeyDigests(TimelineReadFunctions.Replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", StringComparison.Ordinal))
        + "\n" + WithShortKeyDigests(PinnedPruneTimeline);

    /// <summary>
    /// <paramref name="sql"/> with each layout 3 key digest, <c>sha256(decode(replace(x, …), 'escape'))</c>, turned
    /// into layout 9's (empty for a key shorter than the key head), and the empty key's digest (an agent's removal) into
    /// the empty digest.
    /// </summary>
    internal static string WithShortKeyDigests(string sql)
    {
        var digests = LongKeyDigest().Replace(sql, "(CASE WHEN length($1) < 128 THEN ''::bytea ELSE $0 END)");
        return ReferenceEquals(digests, sql)
            ? throw new InvalidOperationException("A layout 9 statement has no key digest: " + sql)
            : digests.Replace("sha256(''::bytea)", "''::bytea", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"sha256\(decode\(replace\(([a-z_.]+), '\\', '\\\\'\), 'escape'\)\)", RegexOptions.CultureInvariant)]
    private static partial Regex LongKeyDigest();
}
