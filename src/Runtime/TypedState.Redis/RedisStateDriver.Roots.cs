using StackExchange.Redis;

namespace TypedState.Redis;

// Finding guild roots: a guild's owner sets and lock owners live under its own root, so on a cluster they are spread
// over every master. Listings scan each master for them (SCAN, in pages: the cost grows with the store's key count).
public sealed partial class RedisStateDriver
{
    /// <summary>
    /// The roots that hold a name <c>&lt;root&gt;&lt;suffix&gt;</c>, found by scanning every connected master: the store
    /// root when <paramref name="includeStore"/>, then each guild root, in code point order.
    /// </summary>
    private async ValueTask<List<string>> RootsHoldingAsync(IConnectionMultiplexer connection, string suffix, CancellationToken cancellationToken, bool includeStore = false)
    {
        var start = "{" + KeyPrefix + "|";
        var end = "}:" + suffix;
        var roots = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var server in connection.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(pattern: start + "*" + end, pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // A record's key may itself end with the suffix: the root ends at the first '}' (escaped in tags).
                var name = (string)key!;
                var close = name.IndexOf('}', StringComparison.Ordinal);
                if (name.StartsWith(start, StringComparison.Ordinal) && string.CompareOrdinal(name, close, end, 0, end.Length) == 0 && name.Length == close + end.Length)
                {
                    roots.Add(name[..(close + 2)]);
                }
            }
        }

        return includeStore ? [_keys.Root, .. roots] : [.. roots];
    }
}
