using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// Listings: an owner's records by prefix, and the owners of a scope, in keyset pages.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // Owners of forks may hold only what they read through their source: when there are forks, the listing is
        // gathered whole and merged with theirs (a scope-wide query first, one round trip per listing).
        var forkOwners = await ReadForkOwnersAsync(scope, cancellationToken).ConfigureAwait(false);
        if (forkOwners.Count > 0)
        {
            var all = new List<(string Guild, string Agent)>(forkOwners);
            (string Guild, string Agent)? cursor = null;
            while (true)
            {
                var page = await ReadOwnersPageAsync(scope, cursor, cancellationToken).ConfigureAwait(false);
                all.AddRange(page);
                if (page.Count < _pageSize)
                {
                    break;
                }

                cursor = page[^1];
            }

            foreach (var (guild, agent) in SortedOwners(all))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return StateOwner.FromStored(scope, guild, agent);
            }

            yield break;
        }

        // Keyset pages of ListPageSize owners, each its own query: no connection or cursor is held while the caller
        // works (and perhaps writes), and each page resumes after the last owner listed.
        (string Guild, string Agent)? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await ReadOwnersPageAsync(scope, after, cancellationToken).ConfigureAwait(false);
            foreach (var (guild, agent) in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return StateOwner.FromStored(scope, guild, agent);
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Pages come from the index in key-head order (the first <see cref="PostgresSql.KeyHeadLength"/> characters):
    /// keys with different heads are already in key order, and keys sharing a head — only keys at least that long —
    /// are sorted here. A full page's last head may continue on the next page, so its keys wait for it; a page that
    /// is all one head is read again, that head only, in key order.
    /// </remarks>
    public IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, CancellationToken cancellationToken) =>
        new RecordPages(this, owner, prefix, cancellationToken);

    /// <summary>
    /// Puts the first <paramref name="count"/> records of a page in key order. The index's order (key heads, byte
    /// order) is already key order unless keys share a head, so a page is checked first and sorted only when it is not:
    /// a check is one comparison a record, a sort of an ordered page several.
    /// </summary>
    private static void SortByKey(List<StoredRecord> page, int count)
    {
        for (var i = 1; i < count; i++)
        {
            if (StateKeyOrder.Comparer.Compare(page[i - 1].Key, page[i].Key) > 0)
            {
                page.Sort(0, count, RecordKeyOrder.Instance);
                return;
            }
        }
    }

    /// <summary>
    /// How many records at the start of a full page are complete: all but those sharing the last record's key head,
    /// which may continue on the next page. A key shorter than a head is its own head and has no others.
    /// </summary>
    private static int CompleteHeads(List<StoredRecord> page)
    {
        var last = page[^1].Key;
        var head = HeadLength(last);
        if (head == last.Length && CodePoints(last) < PostgresSql.KeyHeadLength)
        {
            return page.Count;
        }

        var complete = page.Count - 1;
        while (complete > 0 && HeadLength(page[complete - 1].Key) == head && page[complete - 1].Key.AsSpan(0, head).SequenceEqual(last.AsSpan(0, head)))
        {
            complete--;
        }

        return complete;
    }

    /// <summary>The length in UTF-16 code units of a key's head: its first <see cref="PostgresSql.KeyHeadLength"/> characters (code points), as left() counts them.</summary>
    private static int HeadLength(string key)
    {
        var index = 0;
        for (var characters = 0; characters < PostgresSql.KeyHeadLength && index < key.Length; characters++)
        {
            index += char.IsHighSurrogate(key[index]) && index + 1 < key.Length && char.IsLowSurrogate(key[index + 1]) ? 2 : 1;
        }

        return index;
    }

    private static int CodePoints(string key)
    {
        var count = 0;
        for (var i = 0; i < key.Length; i++, count++)
        {
            if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
        }

        return count;
    }

    /// <summary>Reads a page into <paramref name="page"/>; true when the first page's statement found the owner's guild to be a fork (its marker row).</summary>
    private async Task<bool> ReadPageAsync(StateOwner owner, string lower, string? upper, bool first, List<StoredRecord> page, CancellationToken cancellationToken)
    {
        var sql = (first, upper is null) switch
        {
            (true, false) => _sql.ListFirstBounded,
            (false, false) => _sql.ListNextBounded,
            (true, true) => _sql.ListFirstUnbounded,
            (false, true) => _sql.ListNextUnbounded,
        };
        await using var command = _dataSource.CreateCommand(sql);
        PostgresParameters.AddPositionalOwner(command.Parameters, owner);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lower });
        if (upper is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = upper });
        }

        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = _pageSize });
        return await ReadRecordsAsync(command, page, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads into <paramref name="group"/> a page of the keys sharing <paramref name="headKey"/>'s head, in key order, after <paramref name="lower"/> (or from it when <paramref name="inclusive"/>).</summary>
    private async Task ReadHeadPageAsync(StateOwner owner, string headKey, string lower, bool inclusive, string? upper, List<StoredRecord> group, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql.ListGroup);
        PostgresParameters.AddOwner(command.Parameters, owner);
        command.Parameters.Add(new NpgsqlParameter<string>("head", headKey));
        command.Parameters.Add(new NpgsqlParameter<string>("lower", lower));
        command.Parameters.Add(new NpgsqlParameter<bool>("inclusive", inclusive));
        command.Parameters.Add(new NpgsqlParameter("upper", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)upper ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", _pageSize));
        await ReadRecordsAsync(command, group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the records of <paramref name="page"/> with those a page statement returns; true when it returned the fork marker.</summary>
    private static async Task<bool> ReadRecordsAsync(NpgsqlCommand command, List<StoredRecord> page, CancellationToken cancellationToken)
    {
        page.Clear();
        var isFork = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.IsDBNull(0))
            {
                isFork = true;
                continue;
            }

            page.Add(new StoredRecord(reader.GetString(0), ReadValue(reader, 1), reader.GetInt64(3)));
        }

        return isFork;
    }

    private async Task<List<(string Guild, string Agent)>> ReadOwnersPageAsync(Scope scope, (string Guild, string Agent)? after, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(after is null ? _sql.ListOwnersFirst : _sql.ListOwnersNext);
        command.Parameters.Add(new NpgsqlParameter<short>("scope", (short)scope));
        if (after is { } cursor)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("guild", cursor.Guild));
            command.Parameters.Add(new NpgsqlParameter<string>("agent", cursor.Agent));
        }

        command.Parameters.Add(new NpgsqlParameter<int>("limit", _pageSize));
        var page = new List<(string Guild, string Agent)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add((reader.GetString(0), reader.GetString(1)));
        }

        return page;
    }

    /// <summary>Orders records by key in code point order.</summary>
    private sealed class RecordKeyOrder : IComparer<StoredRecord>
    {
        public static readonly RecordKeyOrder Instance = new();

        public int Compare(StoredRecord x, StoredRecord y) => StateKeyOrder.Comparer.Compare(x.Key, y.Key);
    }
}
