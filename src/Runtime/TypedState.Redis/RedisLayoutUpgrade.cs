using System.Text;
using StackExchange.Redis;

namespace TypedState.Redis;

/// <summary>
/// Raises a store of storage layout 1 or 2 (every name under the store root <c>{prefix}:</c>) to layout 3 (a guild's
/// names under its own root, <see cref="RedisKeys.RootOf(StateOwner)"/>). Global names keep their place; each name of a
/// guild or agent is copied to the same name under the guild's root (<c>DUMP</c> / <c>RESTORE</c>, which works across
/// the slots and nodes of a cluster) and then deleted; the shared sets (owners, lock owners, forks being built, the
/// removal queue) are split member by member into their roots. Every step is idempotent, so drivers that start at once
/// may all run it, and one interrupted is finished by the next driver that connects; old writers must be stopped
/// first, as for any layout change. Remembered commit ids stay where they were and expire.
/// </summary>
internal sealed class RedisLayoutUpgrade(RedisKeys keys, IConnectionMultiplexer connection)
{
    private readonly IDatabase _database = connection.GetDatabase();
    private readonly HashSet<string> _roots = new(StringComparer.Ordinal);
    private long _spaceIds;

    /// <summary>Moves every name of the store root that belongs to a guild; returns how many names were moved.</summary>
    public async Task<long> RunAsync()
    {
        _spaceIds = (long)await _database.StringGetAsync(keys.Root + "sid").ConfigureAwait(false);
        var moved = 0L;
        foreach (var server in connection.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await foreach (var name in server.KeysAsync(pattern: keys.Root + "*", pageSize: 1000).ConfigureAwait(false))
            {
                if (await MoveAsync(name).ConfigureAwait(false))
                {
                    moved++;
                }
            }
        }

        return moved;
    }

    private async Task<bool> MoveAsync(RedisKey name)
    {
        var rest = ((byte[])name!).AsSpan(Encoding.UTF8.GetByteCount(keys.Root)).ToArray();
        var text = Encoding.UTF8.GetString(rest);
        switch (text)
        {
            case "o:guild" or "o:agent":
                await SplitSortedSetAsync(name, text, static member => GuildOfMember(member)).ConfigureAwait(false);
                return true;
            case "lo":
                // Members are the scope's number and the owner member; global ones (0) stay under the store root.
                await SplitSortedSetAsync(name, text, static member => member[0] == '0' ? null : GuildOfMember(member[1..])).ConfigureAwait(false);
                return true;
            case "xb":
                await SplitBuildsAsync(name).ConfigureAwait(false);
                return true;
            case "gc":
                await SplitQueueAsync(name).ConfigureAwait(false);
                return true;
        }

        if (text is "e" or "sid" || text.StartsWith("c:", StringComparison.Ordinal))
        {
            return false;
        }

        // <type letters><space digits and dots>:<owner tag>…
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || GuildTagOf(text[(colon + 1)..]) is not { } guildTag)
        {
            return false;
        }

        var root = await RootAsync(guildTag).ConfigureAwait(false);
        var target = (RedisKey)Concat(Encoding.UTF8.GetBytes(root), rest);
        var dump = await _database.KeyDumpAsync(name).ConfigureAwait(false);
        if (dump is not null)
        {
            try
            {
                await _database.KeyRestoreAsync(target, dump).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.Contains("BUSYKEY", StringComparison.Ordinal))
            {
                // Another driver moved it first.
            }

            await _database.KeyDeleteAsync(name).ConfigureAwait(false);
        }

        if (text.StartsWith("x:", StringComparison.Ordinal))
        {
            // Commits of the root look for timelines once its marker says one was started.
            await _database.HashSetAsync(RedisKeys.Marker(root), "tl", 1).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The guild root, with its space id counter started where the store's stood (space ids stay unique).</summary>
    private async Task<string> RootAsync(string guildTag)
    {
        var root = keys.GuildRoot(guildTag);
        if (_roots.Add(root) && _spaceIds > 0)
        {
            await _database.StringSetAsync(root + "sid", _spaceIds, when: When.NotExists).ConfigureAwait(false);
        }

        return root;
    }

    private async Task SplitSortedSetAsync(RedisKey name, string rest, Func<string, string?> guildOf)
    {
        foreach (var member in await _database.SortedSetRangeByRankAsync(name).ConfigureAwait(false))
        {
            var text = (string)member!;
            if (guildOf(text) is not { } guild)
            {
                continue;
            }

            await _database.SortedSetAddAsync(await RootAsync(RedisKeys.GuildTag(guild)).ConfigureAwait(false) + rest, member, 0).ConfigureAwait(false);
            await _database.SortedSetRemoveAsync(name, member).ConfigureAwait(false);
        }
    }

    /// <summary>Forks being built: space id to <c>&lt;target guild tag&gt;\n&lt;time&gt;</c>, moved to the target's root.</summary>
    private async Task SplitBuildsAsync(RedisKey name)
    {
        foreach (var build in await _database.HashGetAllAsync(name).ConfigureAwait(false))
        {
            var value = (string)build.Value!;
            var root = await RootAsync(value[..value.IndexOf('\n', StringComparison.Ordinal)]).ConfigureAwait(false);
            await _database.HashSetAsync(root + "xb", build.Name, build.Value).ConfigureAwait(false);
            await _database.HashDeleteAsync(name, build.Name).ConfigureAwait(false);
        }
    }

    /// <summary>Removal jobs (<c>s\nsuffix\ntag\nguild tag</c> or <c>a\nguild space\nguild tag</c>) into their guild's queue.</summary>
    private async Task SplitQueueAsync(RedisKey name)
    {
        while (await _database.ListGetByIndexAsync(name, 0).ConfigureAwait(false) is { IsNull: false } job)
        {
            var text = (string)job!;
            var root = await RootAsync(text[(text.LastIndexOf('\n') + 1)..]).ConfigureAwait(false);
            await _database.ListRightPushAsync(RedisKeys.RemovalQueue(root), job).ConfigureAwait(false);
            await _database.ListLeftPopAsync(name).ConfigureAwait(false);
        }
    }

    /// <summary>The guild of an owner set member: the guild id, or for an agent the part before NUL.</summary>
    private static string GuildOfMember(string member)
    {
        var nul = member.IndexOf('\0', StringComparison.Ordinal);
        return nul < 0 ? member : member[..nul];
    }

    /// <summary>
    /// The guild tag an owner tag (followed by anything) starts with: <c>guild:n:&lt;id&gt;</c>, or the guild of
    /// <c>agent:n:&lt;guild&gt;:…</c>; null for <c>global</c>. n counts UTF-8 bytes.
    /// </summary>
    private static string? GuildTagOf(string owner)
    {
        var start = owner.StartsWith("guild:", StringComparison.Ordinal) ? 6 : owner.StartsWith("agent:", StringComparison.Ordinal) ? 6 : -1;
        if (start < 0)
        {
            return null;
        }

        var colon = owner.IndexOf(':', start);
        if (colon < 0 || !int.TryParse(owner.AsSpan(start, colon - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
        {
            return null;
        }

        var tail = Encoding.UTF8.GetBytes(owner[(colon + 1)..]);
        return bytes > tail.Length ? null : RedisKeys.GuildTag(Encoding.UTF8.GetString(tail, 0, bytes));
    }

    private static byte[] Concat(byte[] head, byte[] tail)
    {
        var bytes = new byte[head.Length + tail.Length];
        head.CopyTo(bytes, 0);
        tail.CopyTo(bytes, head.Length);
        return bytes;
    }
}
