using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// Reads as of a sequence: one record in one script; listings and owner listings page through the record history of
// each timeline a fork reads through (RedisScripts.AsOfScan), and snapshots.
public sealed partial class RedisStateDriver
{
    /// <inheritdoc />
    public async ValueTask<StoredRecord?> ReadAsOfAsync(StateOwner owner, string key, long sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var guildId = TimelineGuild(owner);
        var reply = await EvaluateAsync(RedisScripts.ReadAsOf, [_root, guildId, RedisTimelineEntry.Op(owner), key, sequence], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, sequence);
        return reply.Length < 3 ? null : new StoredRecord(key, (byte[])reply[1]!, (long)reply[2]);
    }

    /// <inheritdoc />
    /// <remarks>The owner's records are gathered from every timeline the read walks, then sorted: memory O(records listed).</remarks>
    public async IAsyncEnumerable<StoredRecord> ListAsOfAsync(StateOwner owner, string prefix, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var guildId = TimelineGuild(owner);
        var op = RedisTimelineEntry.Op(owner);
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        var records = new List<StoredRecord>();
        await foreach (var record in ScanAsOfAsync(guildId, sequence, "[" + op + "\0" + prefix, upper is null ? "(" + op + "\u0001" : "(" + op + "\0" + upper, cancellationToken).ConfigureAwait(false))
        {
            if (record.Live)
            {
                records.Add(new StoredRecord(record.Key, record.Value, record.Version));
            }
        }

        records.Sort(static (a, b) => StateKeyOrder.Comparer.Compare(a.Key, b.Key));
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsOfAsync(string guildId, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var ops = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var record in ScanAsOfAsync(guildId, sequence, "-", "+", cancellationToken).ConfigureAwait(false))
        {
            if (record.Live)
            {
                ops.Add(record.Op);
            }
        }

        var owners = ops.Select(op => RedisTimelineEntry.Owner(guildId, Encoding.UTF8.GetBytes(op))).ToList();
        owners.Sort(static (a, b) => a.Scope == b.Scope ? StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty) : a.Scope == Scope.Guild ? -1 : 1);
        foreach (var owner in owners)
        {
            yield return owner;
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveSnapshotAsync(string guildId, long sequence, ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var reply = await EvaluateAsync(RedisScripts.Snapshots, [_root, guildId, "s", sequence, document], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, sequence);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.Snapshots, [_root, guildId, "l"], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, null);
        var sequences = reply.Skip(1).Select(static s => (long)s).ToList();
        sequences.Sort(static (a, b) => b.CompareTo(a));
        foreach (var sequence in sequences)
        {
            yield return sequence;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>?> ReadSnapshotAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.Snapshots, [_root, guildId, "r", sequence], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, sequence);
        return reply.Length < 2 ? null : (ReadOnlyMemory<byte>)(byte[])reply[1]!;
    }

    /// <summary>
    /// The records (tombstones included) the guild held as of <paramref name="sequence"/> whose history members fall
    /// in [<paramref name="min"/>, <paramref name="max"/>] (ZRANGEBYLEX bounds), each once, in no particular order.
    /// </summary>
    private async IAsyncEnumerable<AsOfRecord> ScanAsOfAsync(string guildId, long sequence, string min, string max, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ScanPagesAsync(RedisScripts.AsOfScan, guildId, sequence, min, max, [], cancellationToken).ConfigureAwait(false))
        {
            for (var i = 4; i + 4 < page.Length; i += 5)
            {
                yield return new AsOfRecord(Encoding.UTF8.GetString((byte[])page[i]!), Encoding.UTF8.GetString((byte[])page[i + 1]!), (long)page[i + 2], (byte[])page[i + 3]!, (long)page[i + 4] == 1);
            }
        }
    }

    /// <summary>
    /// Runs a scan script (<see cref="RedisScripts.AsOfScan"/>, <see cref="RedisScripts.ForkCopy"/>) page by page,
    /// <see cref="TimelinePage"/> history members each, level by level of the fork chain, and yields each page's reply
    /// (refusals thrown; other negative statuses yielded).
    /// </summary>
    private async IAsyncEnumerable<RedisResult[]> ScanPagesAsync(string script, string guildId, long sequence, string min, string max, RedisValue[] extra, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var level = 1; ; level++)
        {
            RedisValue from = min;
            var previous = RedisValue.EmptyString;
            while (true)
            {
                var page = await EvaluateAsync(script, [_root, guildId, sequence, level, from, max, TimelinePage, previous, .. extra], cancellationToken).ConfigureAwait(false);
                if ((long)page[0] is -1 or -2 or -3)
                {
                    ThrowIfRefused(page, guildId, sequence);
                }

                yield return page;
                if ((long)page[0] != 0)
                {
                    yield break;
                }

                if ((long)page[2] < TimelinePage)
                {
                    if (level >= (long)page[1])
                    {
                        yield break;
                    }

                    break;
                }

                var last = (byte[])page[3]!;
                from = Concat("("u8, last);
                previous = last.AsMemory(0, last.Length - 17).ToArray();
            }
        }
    }

    /// <summary>The guild whose timeline holds an owner's history; global state has none.</summary>
    private static string TimelineGuild(StateOwner owner) =>
        owner.Scope == Scope.Global
            ? throw new ArgumentException("Global state belongs to no guild and has no timeline.", nameof(owner))
            : owner.GuildIdOrEmpty;

    /// <summary>One record as of a sequence: its owner's op, key, version, value, and whether it was live (or a tombstone).</summary>
    private readonly record struct AsOfRecord(string Op, string Key, long Version, byte[] Value, bool Live);
}
