using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Postgres;

// Guild timelines: starting, reading, pausing, forking and pruning them. Each operation is one round trip (one
// implicit transaction) whose functions raise the refusals (PostgresStateDriver.TimelineErrors.cs). The logged commit
// is in PostgresStateDriver.LoggedCommit.cs, the read-through of forks in PostgresStateDriver.Forks.cs.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    /// <remarks>Under the guild's exclusive advisory lock, so no commit of the guild runs while its records become the first entries.</remarks>
    public async ValueTask<GuildTimeline> StartTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(guildId);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(GuildLock(PostgresSql.LockGuildExclusive, guildId));
        batch.BatchCommands.Add(GuildCommand(_sql.StartTimeline, guildId));
        batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, guildId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        _loggedGuilds[guildId] = true;
        return ReadTimelineRow(reader);
    }

    /// <inheritdoc />
    public async ValueTask<GuildTimeline?> ReadTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_sql.ReadTimeline);
        command.Parameters.Add(new NpgsqlParameter<string>("guild", guildId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadTimelineRow(reader) : null;
    }

    /// <inheritdoc />
    /// <remarks>Keyset pages of ListPageSize entries, each its own query, so no connection is held while the caller works.</remarks>
    public async IAsyncEnumerable<TimelineEntry> ReadEntriesAsync(string guildId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var after = afterSequence;
        var first = true;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await ReadEntriesPageAsync(guildId, after, first, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                yield return entry;
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            after = page[^1].Sequence;
            first = false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<StoredRecord?> ReadAsOfAsync(StateOwner owner, string key, long sequence, CancellationToken cancellationToken)
    {
        var guildId = TimelineGuild(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(ReadableCommand(guildId, sequence, upToHead: true));
        var read = new NpgsqlBatchCommand(_sql.RecordAsOf);
        AddOwnerKey(read.Parameters, owner, key);
        read.Parameters.Add(SequenceParameter(sequence));
        batch.BatchCommands.Add(read);
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new StoredRecord(key, ReadValue(reader, 0), reader.GetInt64(2))
                : null;
        }
        catch (PostgresException ex) when (IsTimelineRefusal(ex))
        {
            throw TimelineRefusal(ex, guildId, sequence);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsOfAsync(StateOwner owner, string prefix, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var guildId = TimelineGuild(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<StoredRecord> records;
        await using (var batch = _dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(ReadableCommand(guildId, sequence, upToHead: true));
            var list = new NpgsqlBatchCommand(_sql.ListAsOf);
            AddOwnerRange(list.Parameters, owner, prefix);
            list.Parameters.Add(SequenceParameter(sequence));
            batch.BatchCommands.Add(list);
            try
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                records = await ReadKeyedRecordsAsync(reader, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (IsTimelineRefusal(ex))
            {
                throw TimelineRefusal(ex, guildId, sequence);
            }
        }

        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    /// <inheritdoc />
    /// <remarks>The update waits for the guild's running logged commits (they hold its timeline row), and every later one sees the pause.</remarks>
    public ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken) =>
        UpdateTimelineAsync(_sql.PauseTimeline, guildId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken) =>
        UpdateTimelineAsync(_sql.ResumeTimeline, guildId, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One row, under the new guild's exclusive advisory lock, so no commit creates state in it meanwhile.</remarks>
    public async ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(newGuildId);
        ArgumentOutOfRangeException.ThrowIfNegative(atSequence);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(GuildLock(PostgresSql.LockGuildExclusive, newGuildId));
        var fork = GuildCommand(_sql.ForkTimeline, newGuildId);
        fork.Parameters.Add(new NpgsqlParameter<string>("source", sourceGuildId));
        fork.Parameters.Add(SequenceParameter(atSequence));
        batch.BatchCommands.Add(fork);
        batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, newGuildId));
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _loggedGuilds[newGuildId] = true;
            _forkGuilds[newGuildId] = true;
            return ReadTimelineRow(reader);
        }
        catch (PostgresException ex) when (IsTimelineRefusal(ex))
        {
            throw TimelineRefusal(ex, sourceGuildId, atSequence, newGuildId);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Keyset pages of ListPageSize forks, each its own query (the first one with the guild's row, to refuse a guild
    /// without a timeline), so memory stays bounded however many forks a guild has and no connection is held while
    /// the caller works.
    /// </remarks>
    public async IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        string? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await ReadForksPageAsync(guildId, after, cancellationToken).ConfigureAwait(false);
            foreach (var fork in page)
            {
                yield return fork;
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            after = page[^1].GuildId;
        }
    }

    /// <inheritdoc />
    public async ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizon);
        var prune = GuildCommand(_sql.PruneTimeline, guildId);
        prune.Parameters.Add(SequenceParameter(horizon));
        return await ChangeTimelineAsync(prune, guildId, horizon, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a statement that changes the guild's timeline at <paramref name="sequence"/> (a prune, a snapshot, a pin;
    /// its refusals raised on the server), then reads the timeline's row in the same round trip.
    /// </summary>
    private async Task<GuildTimeline> ChangeTimelineAsync(NpgsqlBatchCommand change, string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(change);
        batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, guildId));
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return ReadTimelineRow(reader);
        }
        catch (PostgresException ex) when (IsTimelineRefusal(ex))
        {
            throw TimelineRefusal(ex, guildId, sequence);
        }
    }

    private async ValueTask<GuildTimeline> UpdateTimelineAsync(string sql, string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("guild", guildId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadTimelineRow(reader) : throw NotStarted(guildId);
    }

    /// <summary>A page of a guild's forks after <paramref name="after"/>; the first page refuses a guild without a timeline.</summary>
    private async Task<List<GuildTimeline>> ReadForksPageAsync(string guildId, string? after, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        if (after is null)
        {
            batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, guildId));
        }

        var page = GuildCommand(_sql.ListForks, guildId);
        page.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)after ?? DBNull.Value });
        page.Parameters.Add(new NpgsqlParameter<int>("limit", _pageSize));
        batch.BatchCommands.Add(page);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (after is null)
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw NotStarted(guildId);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        var forks = new List<GuildTimeline>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            forks.Add(ReadTimelineRow(reader));
        }

        return forks;
    }

    private async Task<List<TimelineEntry>> ReadEntriesPageAsync(string guildId, long after, bool first, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        if (first)
        {
            batch.BatchCommands.Add(ReadableCommand(guildId, after, upToHead: false));
        }

        var page = GuildCommand(_sql.EntriesAfter, guildId);
        page.Parameters.Add(SequenceParameter(after));
        page.Parameters.Add(new NpgsqlParameter<int>("limit", _pageSize));
        batch.BatchCommands.Add(page);
        var entries = new List<TimelineEntry>();
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (first)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var kind = (TimelineEntryKind)reader.GetInt16(1);
                var value = reader.IsDBNull(7) && reader.IsDBNull(8) ? ReadOnlyMemory<byte>.Empty : ReadValue(reader, 7);
                entries.Add(new TimelineEntry(
                    reader.GetInt64(0),
                    kind,
                    StateOwner.FromStored((Scope)reader.GetInt16(2), guildId, reader.GetString(3)),
                    reader.GetString(4),
                    reader.GetInt64(5),
                    reader.GetInt64(6),
                    value,
                    reader.GetGuid(9),
                    reader.GetFieldValue<DateTimeOffset>(10)));
            }
        }
        catch (PostgresException ex) when (IsTimelineRefusal(ex))
        {
            throw TimelineRefusal(ex, guildId, after);
        }

        return entries;
    }

    private NpgsqlBatchCommand ReadableCommand(string guildId, long sequence, bool upToHead)
    {
        var command = GuildCommand(_sql.TimelineReadable, guildId);
        command.Parameters.Add(SequenceParameter(sequence));
        command.Parameters.Add(new NpgsqlParameter<bool>("up_to_head", upToHead));
        return command;
    }

    private static NpgsqlBatchCommand GuildCommand(string sql, string guildId)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("guild", guildId));
        return command;
    }

    /// <summary>The named parameters of an owner and a key (@guild, @scope, @agent, @key).</summary>
    private static void AddOwnerKey(NpgsqlParameterCollection parameters, StateOwner owner, string key)
    {
        PostgresParameters.AddOwner(parameters, owner);
        parameters.Add(new NpgsqlParameter<string>("key", key));
    }

    /// <summary>The named parameters of an owner and a prefix's key range (@lower, and @upper or NULL for none).</summary>
    private static void AddOwnerRange(NpgsqlParameterCollection parameters, StateOwner owner, string prefix)
    {
        PostgresParameters.AddOwner(parameters, owner);
        parameters.Add(new NpgsqlParameter<string>("lower", prefix));
        parameters.Add(new NpgsqlParameter("upper", NpgsqlDbType.Text) { Value = (object?)StateKeyOrder.PrefixUpperBound(prefix) ?? DBNull.Value });
    }

    /// <summary>Rows of (key, value, value_bytes, version), in key order.</summary>
    private static async Task<List<StoredRecord>> ReadKeyedRecordsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var records = new List<StoredRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new StoredRecord(reader.GetString(0), ReadValue(reader, 1), reader.GetInt64(3)));
        }

        records.Sort(RecordKeyOrder.Instance);
        return records;
    }
}
