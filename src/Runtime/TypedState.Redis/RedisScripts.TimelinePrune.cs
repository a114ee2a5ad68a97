namespace TypedState.Redis;

// Pruning and snapshots: a prune takes effect in one short script (the retained-from moves, so older states are
// refused at once) and deletes what it no longer needs in bounded steps; snapshots are a hash beside the timeline.
internal static partial class RedisScripts
{
    /// <summary><c>drop_snapshots_below(root, tag, s)</c>: deletes the guild's snapshots below sequence s.</summary>
    private const string DropSnapshotsFunction =
        """
        local function drop_snapshots_below(root, tag, horizon)
          local snapshots = tkey(root, 's', tag)
          for _, s in ipairs(redis.call('HKEYS', snapshots)) do
            if tonumber(s) < horizon then
              redis.call('HDEL', snapshots, s)
            end
          end
        end

        """;

    /// <summary>
    /// Starts a prune: refuses a horizon beyond the head (<c>{-2, head}</c>), lowers it to the oldest fork point of
    /// a live fork and to the lowest pin, and when it is above the retained-from makes it the retained-from and the
    /// target of the deletion steps, dropping the snapshots below it. KEYS: the store marker (routing only). ARGV:
    /// root, guild id, horizon. Returns a description, or a refusal.
    /// </summary>
    public const string PruneStart = TimelineFunctions + DropSnapshotsFunction +
        """
        local root, g, horizon = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local m = tmeta(root, g)
        if not m then
          return { -1 }
        end
        if horizon > m.h then
          return { -2, m.h }
        end
        local tag = gtag(g)
        for _, fork in ipairs(redis.call('ZRANGE', tkey(root, 'f', tag), 0, -1)) do
          horizon = math.min(horizon, tonumber(redis.call('HGET', tkey(root, '', gtag(fork)), 'fs') or horizon))
        end
        local pins = redis.call('ZRANGE', tkey(root, 'p', tag), 0, 0, 'WITHSCORES')
        if pins[2] then
          horizon = math.min(horizon, tonumber(pins[2]))
        end
        if horizon > m.rf then
          redis.call('HSET', tkey(root, '', tag), 'rf', horizon, 'pt', horizon)
          m.rf = horizon
          drop_snapshots_below(root, tag, horizon)
        end
        return describe(m)
        """;

    /// <summary>
    /// One bounded deletion step of a prune: visits up to <c>budget</c> entries after the last visited, up to the
    /// prune's target. An append goes (and its id); a removal's entry goes, and earlier removals of the agent; a set or
    /// delete stays (it may be the record's state at the horizon) but every earlier change of the record goes, with
    /// its entry. KEYS: the store marker (routing only). ARGV: root, guild id, budget. Returns entries left to visit.
    /// </summary>
    public const string PruneStep = TimelineFunctions +
        """
        local root, g, budget = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local tag = gtag(g)
        local meta = tkey(root, '', tag)
        local p = redis.call('HMGET', meta, 'pc', 'pt', 'fs')
        if redis.call('EXISTS', meta) == 0 then
          return 0
        end
        -- A fork's own entries start above its fork point.
        local pc, pt = math.max(tonumber(p[1] or 0), tonumber(p[3] or 0)), tonumber(p[2] or 0)
        local upto = math.min(pt, pc + budget)
        local entries, history, removals = tkey(root, 'e', tag), tkey(root, 'h', tag), tkey(root, 'r', tag)
        -- Deletes the members of zset below member that share its prefix, and (for history) their entries.
        local function drop_earlier(zset, prefix, member, with_entries)
          local earlier = redis.call('ZRANGEBYLEX', zset, '[' .. prefix, '(' .. member)
          for _, e in ipairs(earlier) do
            if with_entries then
              redis.call('HDEL', entries, fmt(tonumber(string.sub(e, -16))))
            end
          end
          if #earlier > 0 then
            redis.call('ZREM', zset, unpack(earlier))
          end
        end
        for s = pc + 1, upto do
          local e = redis.call('HGET', entries, fmt(s))
          if e then
            local kind, _, _, op, key = decode(e)
            if kind == 's' or kind == 'd' then
              local prefix = op .. '\0' .. key .. '\0'
              drop_earlier(history, prefix, prefix .. pad(s), true)
            else
              redis.call('HDEL', entries, fmt(s))
              if kind == 'a' then
                if redis.call('HGET', tkey(root, 'a', tag), key) == fmt(s) then
                  redis.call('HDEL', tkey(root, 'a', tag), key)
                end
              else
                drop_earlier(removals, op .. '\0', op .. '\0' .. pad(s), false)
              end
            end
          end
        end
        redis.call('HSET', meta, 'pc', math.max(upto, pc))
        return math.max(pt - upto, 0)
        """;

    /// <summary>
    /// Snapshots: <c>s</c> saves one (the sequence must be readable), <c>l</c> lists their sequences, <c>r</c> reads
    /// one. KEYS: the store marker (routing only). ARGV: root, guild id, mode, sequence, document. Returns
    /// <c>{0, …}</c> (nothing; the sequences; the document or nothing), or a refusal.
    /// </summary>
    public const string Snapshots = TimelineFunctions +
        """
        local root, g, mode = ARGV[1], ARGV[2], ARGV[3]
        local snapshots = tkey(root, 's', gtag(g))
        if mode == 's' then
          local m, err = readable(root, g, tonumber(ARGV[4]), true)
          if not m then
            return err
          end
          redis.call('HSET', snapshots, ARGV[4], ARGV[5])
          return { 0 }
        end
        if not tmeta(root, g) then
          return { -1 }
        end
        if mode == 'l' then
          local out = { 0 }
          for _, s in ipairs(redis.call('HKEYS', snapshots)) do
            out[#out + 1] = tonumber(s)
          end
          return out
        end
        local document = redis.call('HGET', snapshots, ARGV[4])
        if document then
          return { 0, document }
        end
        return { 0 }
        """;

    /// <summary>
    /// Pins: <c>p</c> pins a sequence (it must be readable; pinning twice is one pin), <c>u</c> unpins one, <c>l</c>
    /// lists them ascending. KEYS: the store marker (routing only). ARGV: root, guild id, mode, sequence. Returns a
    /// description (<c>p</c>, <c>u</c>), <c>{0, sequence…}</c> (<c>l</c>), or a refusal.
    /// </summary>
    public const string Pins = TimelineFunctions +
        """
        local root, g, mode = ARGV[1], ARGV[2], ARGV[3]
        local pins = tkey(root, 'p', gtag(g))
        local m, err
        if mode == 'p' then
          m, err = readable(root, g, tonumber(ARGV[4]), true)
        else
          m = tmeta(root, g)
          err = { -1 }
        end
        if not m then
          return err
        end
        if mode == 'l' then
          local out = { 0 }
          for _, s in ipairs(redis.call('ZRANGE', pins, 0, -1)) do
            out[#out + 1] = tonumber(s)
          end
          return out
        end
        if mode == 'p' then
          redis.call('ZADD', pins, tonumber(ARGV[4]), ARGV[4])
        else
          redis.call('ZREM', pins, ARGV[4])
        end
        return describe(m)
        """;
}
