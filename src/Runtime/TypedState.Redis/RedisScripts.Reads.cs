namespace TypedState.Redis;

// Reads: one record, a listing page, a page of owners; each resolves the owner's key space first.
internal static partial class RedisScripts
{
    /// <summary>
    /// One record of an agent or guild owner (global records are read with a plain <c>HMGET</c>: global state is never
    /// removed, so its names never change). KEYS: the store marker (routing only). ARGV: root, owner tag, guild tag,
    /// key. Returns <c>{value, version}</c>, both nil when there is no live record.
    /// </summary>
    public const string Read = SpaceFunction +
        """
        local root, tag = groot(ARGV[1], ARGV[3]), ARGV[2]
        local suffix = space(root, tag, ARGV[3])
        return redis.call('HMGET', root .. 'r' .. suffix .. ':' .. tag .. ':' .. ARGV[4], 'v', 'n')
        """;

    /// <summary>
    /// One listing page, read at one instant: up to <c>limit</c> keys of the owner's index in the lexical range, with
    /// the value and version of each (a key whose record vanished is skipped).
    /// KEYS: the store marker (routing only). ARGV: root, owner tag, guild tag (empty for global), min, max
    /// (ZRANGEBYLEX bounds), limit. Returns <c>{keys scanned, last key scanned, key, value, version, …}</c>.
    /// </summary>
    public const string ListPage = SpaceFunction +
        """
        local root, tag = groot(ARGV[1], ARGV[3]), ARGV[2]
        local suffix = space(root, tag, ARGV[3])
        local members = redis.call('ZRANGEBYLEX', root .. 'i' .. suffix .. ':' .. tag, ARGV[4], ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))
        local base = root .. 'r' .. suffix .. ':' .. tag .. ':'
        local out = { #members, members[#members] or '' }
        for _, member in ipairs(members) do
          local r = redis.call('HMGET', base .. member, 'v', 'n')
          if r[1] then
            out[#out + 1] = member
            out[#out + 1] = r[1]
            out[#out + 1] = r[2]
          end
        end
        return out
        """;

    /// <summary>
    /// Lists one page of a scope's owners, read at one instant: up to <c>limit</c> members of the owner set in the
    /// lexical range, each with its owner's index (in its current key space) checked. A member whose owner has no live
    /// record left (emptied, removed, or written by a driver that did not maintain the set) is dropped from the set
    /// and skipped, so a listing never yields an owner without live records.
    /// KEYS: the scope's owner set. ARGV: min, max (ZRANGEBYLEX bounds), limit, the root, <c>a</c> (agent members:
    /// guild NUL agent) or <c>g</c> (guild members). Returns <c>{members scanned, last member scanned, member…}</c>.
    /// </summary>
    public const string ListOwnersPage = SpaceFunction +
        """
        local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        local out = { #members, members[#members] or '' }
        local root, agents = ARGV[4], ARGV[5] == 'a'
        for _, member in ipairs(members) do
          local tag, guild_tag
          if agents then
            local nul = string.find(member, '\0', 1, true)
            local guild, agent = string.sub(member, 1, nul - 1), string.sub(member, nul + 1)
            tag = 'agent:' .. #guild .. ':' .. guild .. ':' .. #agent .. ':' .. agent
            guild_tag = 'guild:' .. #guild .. ':' .. guild
          else
            tag = 'guild:' .. #member .. ':' .. member
            guild_tag = tag
          end
          -- Redis deletes an emptied sorted set, so the index exists exactly while the owner has a live record.
          if redis.call('EXISTS', groot(root, guild_tag) .. 'i' .. space(root, tag, guild_tag) .. ':' .. tag) == 1 then
            out[#out + 1] = member
          else
            redis.call('ZREM', KEYS[1], member)
          end
        end
        return out
        """;
}
