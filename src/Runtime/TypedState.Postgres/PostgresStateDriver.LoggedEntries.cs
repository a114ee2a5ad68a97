using System.Text;
using Npgsql;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Postgres;

// The entries of a logged commit (PostgresStateDriver.LoggedCommit.cs): sequences above each guild's head in batch
// order, written as one INSERT of arrays with the heads, the commit id's versions and COMMIT.
public sealed partial class PostgresStateDriver
{
    /// <summary>
    /// The entries of an applied batch, in batch order, at consecutive sequences above each guild's head (raised in
    /// <paramref name="timelines"/>); sets the versions of appends (their sequences, or the first one's for an id
    /// already appended).
    /// </summary>
    private static List<LoggedEntry> LogEntries(IReadOnlyList<StateWrite> writes, Dictionary<string, (long Head, long? PausedAt, bool IsFork)> timelines, LoggedBatch applied)
    {
        var entries = new List<LoggedEntry>();
        var appendedNow = new Dictionary<(string Guild, string Id), long>();
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var guild = write.Owner.GuildIdOrEmpty;
            if (write.Owner.Scope == Scope.Global || !timelines.TryGetValue(guild, out var timeline))
            {
                continue;
            }

            TimelineEntryKind kind;
            long previous;
            long version;
            switch (write.Kind)
            {
                case StateWriteKind.Append:
                    if (applied.AppendedAt[i] is { } earlier || appendedNow.TryGetValue((guild, write.Key), out earlier))
                    {
                        applied.Versions[i] = earlier;
                        continue;
                    }

                    (kind, previous, version) = (TimelineEntryKind.Append, 0, timeline.Head + 1);
                    appendedNow[(guild, write.Key)] = version;
                    applied.Versions[i] = version;
                    break;
                case StateWriteKind.Set:
                    version = applied.Versions[i];
                    previous = write.ExpectedVersion ?? applied.Previous[i];
                    kind = TimelineEntryKind.Set;
                    break;
                case StateWriteKind.Delete when applied.Statements[i] is not null && applied.Versions[i] > 0:
                    (kind, previous, version) = (TimelineEntryKind.Delete, applied.Versions[i], applied.Versions[i] + 1);
                    break;
                default:
                    continue;
            }

            timelines[guild] = (timeline.Head + 1, timeline.PausedAt, timeline.IsFork);
            entries.Add(new LoggedEntry(guild, timeline.Head + 1, kind, write, previous, version));
        }

        return entries;
    }

    /// <summary>The second round trip: the entries, the heads, the commit id's versions and COMMIT; only a failure here can leave the outcome unknown.</summary>
    private async Task CommitLoggedTransactionAsync(
        NpgsqlConnection connection,
        List<LoggedEntry> entries,
        Dictionary<string, (long Head, long? PausedAt, bool IsFork)> timelines,
        CommitId commitId,
        long[] versions,
        CancellationToken cancellationToken)
    {
        var first = new List<NpgsqlBatchCommand>();
        if (entries.Count > 0)
        {
            first.Add(InsertEntriesCommand(entries, commitId));
            var raised = entries.Select(entry => entry.Guild).Distinct(StringComparer.Ordinal).ToArray();
            var heads = new NpgsqlBatchCommand(_sql.RaiseHeads);
            heads.Parameters.Add(new NpgsqlParameter<string[]>("guilds", raised));
            heads.Parameters.Add(new NpgsqlParameter<long[]>("heads", [.. raised.Select(guild => timelines[guild].Head)]));
            first.Add(heads);
        }

        await CommitTransactionAsync(connection, commitId, versions, cancellationToken, first).ConfigureAwait(false);
    }

    /// <summary>The entries as one INSERT of arrays; a value goes to jsonb when the records would store it there.</summary>
    private NpgsqlBatchCommand InsertEntriesCommand(List<LoggedEntry> entries, CommitId commitId)
    {
        var values = new string?[entries.Count];
        var bytes = new byte[]?[entries.Count];
        for (var e = 0; e < entries.Count; e++)
        {
            var write = entries[e].Write;
            if (entries[e].Kind is TimelineEntryKind.Set or TimelineEntryKind.Append)
            {
                if (_jsonbWrites && JsonbDocuments.CanStore(write.Value.Span))
                {
                    values[e] = Encoding.UTF8.GetString(write.Value.Span);
                }
                else
                {
                    bytes[e] = write.Value.ToArray();
                }
            }
        }

        var command = new NpgsqlBatchCommand(_sql.InsertEntries);
        command.Parameters.Add(new NpgsqlParameter<string[]>("guilds", [.. entries.Select(e => e.Guild)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", [.. entries.Select(e => e.Sequence)]));
        command.Parameters.Add(new NpgsqlParameter<short[]>("kinds", [.. entries.Select(e => (short)e.Kind)]));
        command.Parameters.Add(new NpgsqlParameter<short[]>("scopes", [.. entries.Select(e => (short)e.Write.Owner.Scope)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("agents", [.. entries.Select(e => e.Write.Owner.AgentIdOrEmpty)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. entries.Select(e => e.Write.Key)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("previous", [.. entries.Select(e => e.Previous)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("versions", [.. entries.Select(e => e.Version)]));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("values", values));
        command.Parameters.Add(new NpgsqlParameter<byte[]?[]>("bytes", bytes));
        command.Parameters.Add(new NpgsqlParameter<Guid>("commit", commitId.Value));
        return command;
    }

    /// <summary>What the rows of a statement of the second round trip mean.</summary>
    private enum LoggedRead
    {
        Ignored,
        AppendedAt,
        Previous,
        Outcome,
    }

    /// <summary>One entry of a logged commit.</summary>
    private sealed record LoggedEntry(string Guild, long Sequence, TimelineEntryKind Kind, StateWrite Write, long Previous, long Version);

    /// <summary>What the second round trip found, per write in batch order.</summary>
    private sealed class LoggedBatch(int count)
    {
        public string?[] Statements { get; } = new string?[count];

        public Outcome[] Outcomes { get; } = new Outcome[count];

        public long[] Versions { get; } = new long[count];

        public long[] Previous { get; } = new long[count];

        public long?[] AppendedAt { get; } = new long?[count];

        public int Failed { get; set; } = -1;
    }
}
