namespace TypedState.Redis;

// Forks are materialised: the records the source held at the fork point are copied, page by page, into a key space
// the fork guild does not use yet, which one last script makes the guild's (or queues for deletion). The fork's
// history up to the fork point is read through its source. Also here: listing forks, pruning, snapshots.
internal static partial class RedisScripts
{
    /// <summary>
    /// <c>abandon(root, sid, target_tag)</c>: queues a fork build's key space for deletion (its guild scope's records,
    /// then, through its agent set, its agents') and forgets the build.
    /// </summary>
    private const string AbandonFunction =
        """
        local function abandon(root, sid, target_tag)
          local queue = root .. 'gc'
          redis.call('RPUSH', queue, 's\n' .. sid .. '\n' .. target_tag .. '\n' .. target_tag)
          redis.call('RPUSH', queue, 'a\n' .. sid .. '\n' .. target_tag)
          redis.call('HDEL', root .. 'xb', sid)
        end
        -- Whether a guild holds a record, a tombstone, an agent with either, or a timeline.
        local function occupied(root, tag)
          local suffix, gs = space(root, tag, tag)
          return redis.call('EXISTS', tkey(root, '', tag), root .. 'i' .. suffix .. ':' .. tag, root .. 't' .. suffix .. ':' .. tag, root .. 'ga' .. (gs or '') .. ':' .. tag) > 0
        end

        """;

    /// <summary>
    /// Begins a fork: checks the source and the point (as <c>readable</c>) and that the target holds nothing
    /// (<c>{-4}</c> otherwise), abandons builds idle for more than ten minutes (a process that died while forking),
    /// then draws the build's space id and records the build. KEYS: the store marker (routing only). ARGV: root,
    /// source id, fork point, target id. Returns <c>{0, space id}</c> or a refusal.
    /// </summary>
    public const string ForkBegin = SpaceFunction + NowStatement + TimelineFunctions + AbandonFunction +
        """
        local source, f, target = ARGV[2], tonumber(ARGV[3]), ARGV[4]
        local root = groot(ARGV[1], gtag(target))
        local m, err = readable(root, source, f, true)
        if not m then
          return err
        end
        if occupied(root, gtag(target)) then
          return { -4 }
        end
        local builds = redis.call('HGETALL', root .. 'xb')
        for i = 1, #builds, 2 do
          local nl = string.find(builds[i + 1], '\n', 1, true)
          if now - tonumber(string.sub(builds[i + 1], nl + 1)) > 600000000 then
            abandon(root, builds[i], string.sub(builds[i + 1], 1, nl - 1))
          end
        end
        local sid = redis.call('INCR', root .. 'sid')
        redis.call('HSET', root .. 'xb', sid, gtag(target) .. '\n' .. fmt(now))
        return { 0, sid }
        """;

    /// <summary>
    /// Copies one page of <c>scan</c> of the source as of the fork point into the build's key space (guild scope: the
    /// space id; agents: space id <c>.0</c>), with their versions; tombstones stay tombstones. KEYS: the store marker
    /// (routing only). ARGV: as <see cref="AsOfScan"/> (root, source id, fork point, level, min, max, limit, prev), then
    /// the target id and the space id. Returns <c>scan</c>'s <c>out</c>, a refusal, or <c>{-5}</c> when the build was
    /// abandoned meanwhile.
    /// </summary>
    public const string ForkCopy = NowStatement + TimelineFunctions + ScanFunction +
        """
        local target, sid = ARGV[9], ARGV[10]
        local ttag = gtag(target)
        local root = groot(ARGV[1], ttag)
        if redis.call('HEXISTS', root .. 'xb', sid) == 0 then
          return { -5 }
        end
        redis.call('HSET', root .. 'xb', sid, ttag .. '\n' .. fmt(now))
        return scan(root, ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], function(out, op, key, ver, value, live)
          local otag, suffix = ttag, sid
          if op ~= 'g' then
            local aid = string.sub(op, 2)
            otag, suffix = 'agent:' .. #target .. ':' .. target .. ':' .. #aid .. ':' .. aid, sid .. '.0'
            redis.call('SADD', root .. 'ga' .. sid .. ':' .. ttag, otag)
          end
          local record = root .. 'r' .. suffix .. ':' .. otag .. ':' .. key
          if live then
            redis.call('HSET', record, 'v', value, 'n', ver)
            redis.call('ZADD', root .. 'i' .. suffix .. ':' .. otag, 0, key)
          else
            redis.call('HSET', record, 'n', ver)
            redis.call('SADD', root .. 't' .. suffix .. ':' .. otag, key)
          end
        end)
        """;

    /// <summary>
    /// Publishes a fork build: checks again the source, the point and the target (a refusal abandons the build), then
    /// makes the build's key space the target's (its agents' spaces become the build's, their owner sets learn them),
    /// writes the fork's timeline meta (head and fork point at the point, reading through the source) and lists it
    /// among the source's forks. KEYS: the store marker (routing only). ARGV: root, source id, fork point, target id,
    /// space id. Returns a description, a refusal, or <c>{-5}</c> when the build was abandoned meanwhile.
    /// </summary>
    public const string ForkPublish = SpaceFunction + TimelineFunctions + AbandonFunction +
        """
        local source, f, target, sid = ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
        local ttag = gtag(target)
        local root = groot(ARGV[1], ttag)
        if redis.call('HEXISTS', root .. 'xb', sid) == 0 then
          return { -5 }
        end
        local m, err = readable(root, source, f, true)
        if not m then
          abandon(root, sid, ttag)
          return err
        end
        if occupied(root, ttag) then
          abandon(root, sid, ttag)
          return { -4 }
        end
        redis.call('HSET', root .. 'm:' .. ttag, 's', sid)
        for _, atag in ipairs(redis.call('SMEMBERS', root .. 'ga' .. sid .. ':' .. ttag)) do
          redis.call('HDEL', root .. 'm:' .. atag, 's')
          if redis.call('EXISTS', root .. 'i' .. sid .. '.0:' .. atag) == 1 then
            local c = string.find(atag, ':', 7, true)
            local n = tonumber(string.sub(atag, 7, c - 1))
            local c2 = string.find(atag, ':', c + n + 2, true)
            redis.call('ZADD', root .. 'o:agent', 0, target .. '\0' .. string.sub(atag, c2 + 1))
          end
        end
        if redis.call('EXISTS', root .. 'i' .. sid .. ':' .. ttag) == 1 then
          redis.call('ZADD', root .. 'o:guild', 0, target)
        end
        redis.call('HSET', tkey(root, '', ttag), 'h', f, 'pg', source, 'fs', f, 'rf', 0)
        redis.call('ZADD', tkey(root, 'f', gtag(source)), 0, target)
        redis.call('HDEL', root .. 'xb', sid)
        -- Commits to the fork's root look for timelines from now on.
        redis.call('HSET', root .. 'e', 'tl', 1)
        return { 0, f, -1, source, f, 0 }
        """;

    /// <summary>Abandons a fork build (after a failure). KEYS: the store marker. ARGV: root, target id, space id.</summary>
    public const string ForkAbandon = SpaceFunction + TimelineFunctions + AbandonFunction +
        """
        local root = groot(ARGV[1], gtag(ARGV[2]))
        if redis.call('HEXISTS', root .. 'xb', ARGV[3]) == 1 then
          abandon(root, ARGV[3], gtag(ARGV[2]))
        end
        return 0
        """;

    /// <summary>
    /// The forks of a guild, by guild id. KEYS: the store marker (routing only). ARGV: root, guild id. Returns
    /// <c>{0, n, (fork id, description) × n}</c> or <c>{-1}</c>.
    /// </summary>
    public const string ListForks = TimelineFunctions +
        """
        local root, g = ARGV[1], ARGV[2]
        if not tmeta(root, g) then
          return { -1 }
        end
        local forks = redis.call('ZRANGE', tkey(root, 'f', gtag(g)), 0, -1)
        local out = { 0, #forks }
        for _, fork in ipairs(forks) do
          out[#out + 1] = fork
          for _, v in ipairs(describe(tmeta(root, fork))) do
            out[#out + 1] = v
          end
        end
        return out
        """;
}
