using System.Runtime.CompilerServices;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Sqlite;

// Guild timelines (ITimelineDriver): changes to timelines go through the writer like every other write; reads run
// on pooled sessions, each in one snapshot. The commit path's part is in SqliteTimelineWrites, removal's in
// SqliteTimelineRemoval, the read-through of forks in .Forks.cs.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<GuildTimeline> StartTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(guildId);
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            (guildId, clock: _clock),
            static (session, request) =>
            {
                if (SqliteTimelines.Read(session, request.guildId) is { } existing)
                {
                    return (existing.Describe(), false);
                }

                // What the guild already holds becomes the first entries, so that its state reads as of every sequence.
                InsertTimeline(session, request.guildId, 0, null);
                var log = session.Command(SqliteTimelineSql.LogExistingRecords, null);
                SqliteSession.Bind(log, "$guild", request.guildId);
                SqliteSession.Bind(log, "$commit", SqliteTimelineWrites.CommitBytes(CommitId.None));
                SqliteSession.Bind(log, "$timestamp", request.clock.GetUtcNow().ToUnixTimeMilliseconds());
                var logged = log.ExecuteNonQuery();
                return (new GuildTimeline(request.guildId, logged, null, null, 0, 0), true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline?> ReadTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(InSession(guildId, static (session, guildId) => SqliteTimelines.Read(session, guildId)?.Describe()));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TimelineEntry> ReadEntriesAsync(string guildId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // A fork's entries up to its fork point are its source's (recursively): one span per timeline, oldest first.
        var spans = TimelineRead((guildId, afterSequence), static (session, request) =>
        {
            var row = SqliteTimelines.Started(session, request.guildId);
            SqliteTimelines.CheckRetained(session, row, request.afterSequence);
            var spans = new List<(string Guild, long After, long UpTo)>();
            CollectSpans(session, row, request.afterSequence, long.MaxValue, spans);
            return spans;
        });

        foreach (var (source, after, upTo) in spans)
        {
            // Pages of ListPageSize entries, each its own query: no reader stays open while the caller works.
            var next = after;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = ReadEntriesPage(source, guildId, next, upTo);
                foreach (var entry in page)
                {
                    yield return entry;
                }

                if (page.Count < _options.ListPageSize)
                {
                    break;
                }

                next = page[^1].Sequence;
                await Task.Yield();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsOfAsync(StateOwner owner, string key, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var guildId = TimelineGuild(owner);
        return new(TimelineRead((owner, key, sequence, guildId), static (session, request) =>
        {
            var row = SqliteTimelines.Started(session, request.guildId);
            SqliteTimelines.CheckReadable(session, row, request.sequence);
            return SqliteTimelines.AsOf(session, row, request.owner, request.key, request.sequence) is { Value: { } value } change
                ? new StoredRecord(request.key, value, change.Version)
                : (StoredRecord?)null;
        }));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsOfAsync(StateOwner owner, string prefix, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var guildId = TimelineGuild(owner);
        var records = TimelineRead((owner, prefix, sequence, guildId), static (session, request) =>
        {
            var row = SqliteTimelines.Started(session, request.guildId);
            SqliteTimelines.CheckReadable(session, row, request.sequence);
            var changes = new SortedDictionary<string, SqliteChange>(StateKeyOrder.Comparer);
            SqliteTimelines.ListAsOf(session, row, request.owner, request.prefix, request.sequence, changes);
            return changes.Where(static pair => pair.Value.IsLive).Select(static pair => new StoredRecord(pair.Key, pair.Value.Value!, pair.Value.Version)).ToList();
        });

        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken) =>
        ChangeTimelineAsync(guildId, SqliteTimelineSql.Pause, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken) =>
        ChangeTimelineAsync(guildId, SqliteTimelineSql.Resume, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(newGuildId);
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            (sourceGuildId, atSequence, newGuildId),
            static (session, request) =>
            {
                var source = SqliteTimelines.Started(session, request.sourceGuildId);
                SqliteTimelines.CheckReadable(session, source, request.atSequence);
                var holds = session.Command(SqliteTimelineSql.GuildHoldsState, null);
                SqliteSession.Bind(holds, "$guild", request.newGuildId);
                if (SqliteTimelines.Read(session, request.newGuildId) is not null || SqliteSession.ExecuteVersion(holds) is not null)
                {
                    throw new StateTimelineException(
                        TimelineFailure.GuildExists,
                        request.newGuildId,
                        request.atSequence,
                        $"Guild '{request.sourceGuildId}' was not forked: the target guild '{request.newGuildId}' already holds state or a timeline.");
                }

                // O(1): one row naming the source and the point; reads fall through to the source from then on.
                InsertTimeline(session, request.newGuildId, request.atSequence, request.sourceGuildId);
                return (new GuildTimeline(request.newGuildId, request.atSequence, null, request.sourceGuildId, request.atSequence, 0), true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pages of ListPageSize forks down the index on (parent_id, guild_id), each its own query: a guild with
        // very many forks is listed in bounded memory, and no reader stays open while the caller works.
        string? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = TimelineRead((guildId, after, limit: (long)_options.ListPageSize), static (session, query) =>
            {
                if (query.after is null)
                {
                    _ = SqliteTimelines.Started(session, query.guildId);
                }

                var command = session.Command(SqliteTimelineSql.ListForksPage, null);
                SqliteSession.Bind(command, "$guild", query.guildId);
                SqliteSession.Bind(command, "$after", query.after ?? string.Empty);
                SqliteSession.Bind(command, "$limit", query.limit);
                var forks = new List<GuildTimeline>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    forks.Add(SqliteTimelines.RowOf(reader).Describe());
                }

                return forks;
            });

            foreach (var fork in page)
            {
                yield return fork;
            }

            if (page.Count < _options.ListPageSize)
            {
                yield break;
            }

            after = page[^1].GuildId;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            (guildId, horizon, clock: _clock, retention: _options.CommitIdRetention),
            static (session, request) =>
            {
                var row = SqliteTimelines.Started(session, request.guildId);
                if (request.horizon > row.Head)
                {
                    throw SqliteTimelines.BeyondHead(row, request.horizon);
                }

                // A fork reads its source as of its fork point, and a pin keeps its replay point: those states stay readable.
                var lowest = session.Command(SqliteSnapshotSql.LowestKeptPoint, null);
                SqliteSession.Bind(lowest, "$guild", request.guildId);
                var horizon = Math.Min(request.horizon, SqliteSession.ExecuteVersion(lowest) ?? long.MaxValue);
                if (horizon <= row.RetainedFrom)
                {
                    return (row.Describe(), false);
                }

                // The commit ids the entries about to go keep outlive them, for their retention.
                SqliteLoggedCommits.HandOver(session, request.guildId, horizon, request.clock.GetUtcNow().ToUnixTimeMilliseconds(), request.retention);

                // The head is written down too: the entry at it may go, and sequences are never reused.
                foreach (var sql in (ReadOnlySpan<string>)[SqliteTimelineSql.Prune, SqliteSnapshotSql.PruneSnapshots, SqliteTimelineSql.SetRetainedFrom])
                {
                    var command = session.Command(sql, null);
                    SqliteSession.Bind(command, "$guild", request.guildId);
                    SqliteSession.Bind(command, "$horizon", horizon);
                    if (sql == SqliteTimelineSql.SetRetainedFrom)
                    {
                        SqliteSession.Bind(command, "$head", row.Head);
                    }

                    command.ExecuteNonQuery();
                }

                return (row.Describe() with { RetainedFrom = horizon }, true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }

    private ValueTask<GuildTimeline> ChangeTimelineAsync(string guildId, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            (guildId, sql),
            static (session, request) =>
            {
                _ = SqliteTimelines.Started(session, request.guildId);
                var command = session.Command(request.sql, null);
                SqliteSession.Bind(command, "$guild", request.guildId);
                command.ExecuteNonQuery();
                return (SqliteTimelines.Started(session, request.guildId).Describe(), true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }

    private static void InsertTimeline(SqliteSession session, string guildId, long head, string? parentId)
    {
        var command = session.Command(SqliteTimelineSql.InsertTimeline, null);
        SqliteSession.Bind(command, "$guild", guildId);
        SqliteSession.Bind(command, "$head", head);
        SqliteSession.Bind(command, "$parent", parentId is null ? DBNull.Value : parentId);
        SqliteSession.Bind(command, "$fork", head);
        command.ExecuteNonQuery();
    }

    /// <summary>The spans of entries a timeline shows after <paramref name="after"/>: its sources' up to each fork point, then its own.</summary>
    private static void CollectSpans(SqliteSession session, SqliteTimelineRow row, long after, long upTo, List<(string Guild, long After, long UpTo)> spans)
    {
        if (row.IsFork && after < row.ForkSequence && SqliteTimelines.Read(session, row.ParentId!) is { } parent)
        {
            CollectSpans(session, parent, after, Math.Min(upTo, row.ForkSequence), spans);
        }

        spans.Add((row.GuildId, after, upTo));
    }

    private List<TimelineEntry> ReadEntriesPage(string sourceGuildId, string asGuildId, long after, long upTo) =>
        InSession((sourceGuildId, asGuildId, after, upTo, limit: (long)_options.ListPageSize), static (session, query) =>
        {
            var command = session.Command(SqliteTimelineSql.ReadEntries, null);
            SqliteSession.Bind(command, "$guild", query.sourceGuildId);
            SqliteSession.Bind(command, "$after", query.after);
            SqliteSession.Bind(command, "$upTo", query.upTo);
            SqliteSession.Bind(command, "$limit", query.limit);
            var page = new List<TimelineEntry>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                page.Add(new TimelineEntry(
                    reader.GetInt64(0),
                    (TimelineEntryKind)reader.GetInt64(1),
                    StateOwner.FromStored((Scope)reader.GetInt64(2), query.asGuildId, reader.GetString(3)),
                    reader.GetString(4),
                    reader.GetInt64(5),
                    reader.GetInt64(6),
                    reader.IsDBNull(7) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(7),
                    new Guid(reader.GetFieldValue<byte[]>(8)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9))));
            }

            return page;
        });

    /// <summary>
    /// Runs a timeline read in one snapshot of a pooled session. A refusal is carried out of the session and thrown
    /// here, so that a refused read does not cost the pool its connection (a session that throws is closed).
    /// </summary>
    private T TimelineRead<TState, T>(TState state, Func<SqliteSession, TState, T> work)
    {
        var (result, refusal) = InSession((state, work), static (session, call) =>
            InSnapshot(session, call, static (session, call) =>
            {
                try
                {
                    return (call.work(session, call.state), (StateTimelineException?)null);
                }
                catch (StateTimelineException refusal)
                {
                    return (default(T), refusal);
                }
            }));
        return refusal is null ? result! : throw refusal;
    }

    private static string TimelineGuild(StateOwner owner) =>
        owner.Scope == Scope.Global
            ? throw new ArgumentException("Global state belongs to no guild and has no timeline.", nameof(owner))
            : owner.GuildIdOrEmpty;
}
