using Microsoft.Data.Sqlite;
using SQLitePCL;
using TypedState.Storage;

namespace TypedState.Sqlite;

// The read-through of forks: a fork's reads, listings and owners are its own rows over what its source held at the
// fork point (SqliteTimelines). A guild that is not a fork never comes here: a read that finds the record's row (live
// or tombstone) is answered at once; only a read that finds no row, and each listing of a guild, first asks whether
// the guild is a fork, with one primary-key probe of the small typedstate_timelines table. That answer is not cached
// when negative: another process may fork into an empty guild id at any time, and a cached "not a fork" would hide
// the fork's inherited records from this process for good. A positive answer needs no cache either: the fork path
// reads the timeline row again in its snapshot, so a fork removed and its id reused reads right.
public sealed partial class SqliteStateDriver
{
    /// <summary>Whether the guild's timeline is a fork (a probe on the reading session, outside any snapshot).</summary>
    private static bool IsFork(SqliteSession session, string guildId)
    {
        var probe = session.Statement(SqliteTimelineSql.ReadParent);
        try
        {
            probe.Bind("$guild", guildId);
            return probe.Step() && !probe.IsNull(0);
        }
        finally
        {
            probe.Reset();
        }
    }

    /// <summary>A record of a fork that has no row of its own, read through its source in one snapshot.</summary>
    private static StoredRecord? ReadThroughFork(SqliteSession session, StateOwner owner, string key) =>
        InSnapshot(session, (owner, key), static (session, target) =>
            SqliteTimelines.Read(session, target.owner.GuildIdOrEmpty) is { } row
                && SqliteTimelines.Current(session, row, target.owner, target.key) is { Value: { } value } current
                ? new StoredRecord(target.key, value, current.Version)
                : (StoredRecord?)null);

    /// <summary>
    /// A fork's live records with the prefix, in key order, in one snapshot: its own rows (tombstones hide the
    /// source's) over the source's records at the fork point. Materialised: a fork's listing is not paged.
    /// </summary>
    private static List<StoredRecord> ListFork(SqliteSession session, StateOwner owner, string prefix) =>
        InSnapshot(session, (owner, prefix), static (session, target) => ListForkInSnapshot(session, target.owner, target.prefix));

    private static List<StoredRecord> ListForkInSnapshot(SqliteSession session, StateOwner owner, string prefix)
    {
        var merged = new SortedDictionary<string, SqliteChange>(StateKeyOrder.Comparer);
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        var command = session.Command(upper is null ? SqliteTimelineSql.OwnRowsUnbounded : SqliteTimelineSql.OwnRowsBounded, null);
        SqliteSession.BindOwner(command, owner);
        SqliteTimelines.BindRange(command, prefix, upper);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                merged[reader.GetString(0)] = new SqliteChange(reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt64(2));
            }
        }

        if (SqliteTimelines.Read(session, owner.GuildIdOrEmpty) is { IsFork: true } row
            && !SqliteTimelines.WasRemoved(session, owner)
            && SqliteTimelines.Read(session, row.ParentId!) is { } parent)
        {
            SqliteTimelines.ListAsOf(session, parent, owner.InGuild(parent.GuildId), prefix, row.ForkSequence, merged);
        }

        var records = new List<StoredRecord>(merged.Count);
        foreach (var (key, change) in merged)
        {
            if (change.Value is { } value)
            {
                records.Add(new StoredRecord(key, value, change.Version));
            }
        }

        return records;
    }

    /// <summary>
    /// The owners of <paramref name="scope"/> in every fork that hold a live record, their own or read through, with
    /// the ids of the forks (whose rows the plain owner listing must skip); null when the file holds no fork.
    /// </summary>
    private (HashSet<string> Forks, List<StateOwner> Owners)? ForkOwners(Scope scope) =>
        InSession(scope, static (session, scope) =>
        {
            if (session.Statement(SqliteTimelineSql.AnyFork).ExecuteVersion() is null)
            {
                return null;
            }

            return InSnapshot(session, scope, static (session, scope) =>
            {
                var forks = new List<SqliteTimelineRow>();
                using (var reader = session.Command(SqliteTimelineSql.ListAllForks, null).ExecuteReader())
                {
                    while (reader.Read())
                    {
                        forks.Add(SqliteTimelines.RowOf(reader));
                    }
                }

                var owners = new List<StateOwner>();
                foreach (var fork in forks)
                {
                    var candidates = new HashSet<(Scope Scope, string Agent)>();
                    var own = session.Command(SqliteTimelineSql.OwnersWithRows, null);
                    SqliteSession.Bind(own, "$guild", fork.GuildId);
                    using (var reader = own.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            candidates.Add(((Scope)reader.GetInt64(0), reader.GetString(1)));
                        }
                    }

                    if (SqliteTimelines.Read(session, fork.ParentId!) is { } parent)
                    {
                        SqliteTimelines.CollectOwners(session, parent, fork.ForkSequence, candidates);
                    }

                    foreach (var (candidateScope, agent) in candidates)
                    {
                        var owner = StateOwner.FromStored(candidateScope, fork.GuildId, agent);
                        if (candidateScope == scope && ListForkInSnapshot(session, owner, string.Empty).Count > 0)
                        {
                            owners.Add(owner);
                        }
                    }
                }

                return ((HashSet<string>, List<StateOwner>)?)([.. forks.Select(static fork => fork.GuildId)], owners);
            });
        });

    /// <summary>
    /// Runs <paramref name="work"/> in one read transaction of the session, so that the several statements of a
    /// read-through see one snapshot of the file. Begun with sqlite3_exec, like the writer's transactions, so the
    /// session's prepared commands run in it unchanged.
    /// </summary>
    private static T InSnapshot<TState, T>(SqliteSession session, TState state, Func<SqliteSession, TState, T> work)
    {
        var db = session.Connection.Handle!;
        var rc = raw.sqlite3_exec(db, "BEGIN");
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        try
        {
            return work(session, state);
        }
        finally
        {
            // A read transaction changed nothing: ending it only releases the snapshot.
            raw.sqlite3_exec(db, "ROLLBACK");
        }
    }
}
