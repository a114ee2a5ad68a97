using StackExchange.Redis;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>One line of <c>CLUSTER NODES</c>: a node's id, address, role and state, its master (for a replica), and its slot ranges.</summary>
internal sealed record RedisClusterNode(string Id, string Endpoint, bool IsMaster, bool Failed, string MasterId, IReadOnlyList<(int From, int To)> Slots)
{
    public bool Serves(int slot) => Slots.Any(range => range.From <= slot && slot <= range.To);

    /// <summary>The nodes as <paramref name="server"/> sees them.</summary>
    public static async Task<List<RedisClusterNode>> ReadAsync(IServer server)
    {
        var text = (string)(await server.ExecuteAsync("CLUSTER", "NODES"))!;

        // Over RESP3 the reply is a verbatim string, which arrives with its format prefix.
        if (text.StartsWith("txt:", StringComparison.Ordinal))
        {
            text = text[4..];
        }

        var nodes = new List<RedisClusterNode>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var slots = fields.Skip(8)
                .Where(static f => !f.StartsWith('['))
                .Select(static f => f.Split('-'))
                .Select(static r => (int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(r[^1], System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            nodes.Add(new RedisClusterNode(fields[0], fields[1].Split('@')[0], fields[2].Contains("master", StringComparison.Ordinal), fields[2].Contains("fail", StringComparison.Ordinal), fields[3], slots));
        }

        return nodes;
    }

    /// <summary>The slot of a name, as the cluster computes it (<c>CLUSTER KEYSLOT</c>).</summary>
    public static async Task<int> KeySlotAsync(IServer server, string name) => (int)(await server.ExecuteAsync("CLUSTER", "KEYSLOT", name));
}
