using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.Sqlite;

// Whole-guild snapshots (storage layout 5): documents kept beside the guild's timeline, and the owners a guild held as
// of a sequence. They go with their guild (SqliteTimelineRemoval) and below the horizon with a prune (.Timeline.cs).
public sealed partial class SqliteStateDriver : ITimelineSnapshotDriver
{
    /// <inheritdoc />
    public ValueTask SaveSnapshotAsync(string guildId, long sequence, ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            (guildId, sequence, document: SqliteTimelineWrites.AsArray(document)),
            static (session, request) =>
            {
                var row = SqliteTimelines.Started(session, request.guildId);
                SqliteTimelines.CheckReadable(session, row, request.sequence);
                var command = session.Command(SqliteSnapshotSql.SaveSnapshot, null);
                SqliteSession.Bind(command, "$guild", request.guildId);
                SqliteSession.Bind(command, "$seq", request.sequence);
                SqliteSession.Bind(command, "$document", request.document);
                command.ExecuteNonQuery();
                return (true, true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, CancellationToken cancellationToken) =>
        ListSequencesAsync(guildId, SqliteSnapshotSql.ListSnapshots, "$before", long.MaxValue, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?> ReadSnapshotAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(TimelineRead((guildId, sequence), static (session, request) =>
        {
            _ = SqliteTimelines.Started(session, request.guildId);
            var command = session.Command(SqliteSnapshotSql.ReadSnapshot, null);
            SqliteSession.Bind(command, "$guild", request.guildId);
            SqliteSession.Bind(command, "$seq", request.sequence);
            using var reader = command.ExecuteReader();
            return reader.Read() ? reader.GetFieldValue<byte[]>(0) : (ReadOnlyMemory<byte>?)null;
        }));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsOfAsync(string guildId, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var owners = TimelineRead((guildId, sequence), static (session, request) =>
        {
            var row = SqliteTimelines.Started(session, request.guildId);
            SqliteTimelines.CheckReadable(session, row, request.sequence);

            // The candidates held a set or delete up to the sequence, here or in the timelines read through; an owner
            // counts when one of its records is live then.
            var candidates = new HashSet<(Scope Scope, string Agent)>();
            SqliteTimelines.CollectOwners(session, row, request.sequence, candidates);
            var owners = new List<StateOwner>();
            foreach (var (scope, agent) in candidates)
            {
                var owner = StateOwner.FromStored(scope, request.guildId, agent);
                var records = new SortedDictionary<string, SqliteChange>(StateKeyOrder.Comparer);
                SqliteTimelines.ListAsOf(session, row, owner, string.Empty, request.sequence, records);
                if (records.Values.Any(static change => change.IsLive))
                {
                    owners.Add(owner);
                }
            }

            // The guild owner first, then the agents by id: as the owner listing orders a guild's owners.
            owners.Sort(static (a, b) => a.Scope == b.Scope
                ? StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty)
                : a.Scope == Scope.Guild ? -1 : 1);
            return owners;
        });

        foreach (var owner in owners)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return owner;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Streams sequences of the guild (snapshots, pins) in keyset pages of ListPageSize, each its own query, resuming
    /// after the last one listed (<paramref name="cursorName"/>, from <paramref name="start"/>). The first page refuses
    /// a guild without a timeline.
    /// </summary>
    private async IAsyncEnumerable<long> ListSequencesAsync(string guildId, string sql, string cursorName, long start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = start;
        var first = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = TimelineRead((guildId, sql, cursorName, cursor, first, limit: (long)_options.ListPageSize), static (session, query) =>
            {
                if (query.first)
                {
                    _ = SqliteTimelines.Started(session, query.guildId);
                }

                var command = session.Command(query.sql, null);
                SqliteSession.Bind(command, "$guild", query.guildId);
                SqliteSession.Bind(command, query.cursorName, query.cursor);
                SqliteSession.Bind(command, "$limit", query.limit);
                var page = new List<long>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    page.Add(reader.GetInt64(0));
                }

                return page;
            });

            foreach (var sequence in page)
            {
                yield return sequence;
            }

            if (page.Count < _options.ListPageSize)
            {
                yield break;
            }

            cursor = page[^1];
            first = false;
            await Task.Yield();
        }
    }
}
