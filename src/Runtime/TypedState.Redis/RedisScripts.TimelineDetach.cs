namespace TypedState.Redis;

// Detaching a fork. Its records are its own already (a fork is materialised); what it still reads through its source is
// history: the state as of its fork point. That is copied into its own history and entries, page by page, at the
// sequences the changes had (all at or below the fork point, below its own entries): while the link stays, a read as
// of a sequence above the fork point finds the same change at its own level as it found at the source's, and one at
// or below it still reads the source, so a half-done copy changes no answer. One last script drops the link.
internal static partial class RedisScripts
{
    /// <summary>
    /// <c>detachable(root, g)</c>: the fork's meta, or a refusal: <c>{-1}</c> no timeline, <c>{-6, head}</c> not a fork,
    /// <c>{-7, fork, its fork point, the guild's fork point}</c> a fork of the guild forked below the guild's own fork
    /// point (it reads the source through the guild there).
    /// </summary>
    private const string DetachableFunction =
        """
        local function detachable(root, g)
          local m = tmeta(root, g)
          if not m then
            return nil, { -1 }
          end
          if not m.pg then
            return nil, { -6, m.h }
          end
          for _, fork in ipairs(redis.call('ZRANGE', tkey(root, 'f', gtag(g)), 0, -1)) do
            local fs = tonumber(redis.call('HGET', tkey(root, '', gtag(fork)), 'fs') or m.fs)
            if fs < m.fs then
              return nil, { -7, fork, fs, m.fs }
            end
          end
          return m
        end

        """;

    /// <summary>
    /// Begins a detach: checks the fork. KEYS: the store marker (routing only). ARGV: root, fork id. Returns
    /// <c>{0, source id, fork point}</c> or a refusal of <c>detachable</c>.
    /// </summary>
    public const string DetachBegin = TimelineFunctions + DetachableFunction +
        """
        local m, err = detachable(ARGV[1], ARGV[2])
        if not m then
          return err
        end
        return { 0, m.pg, m.fs }
        """;

    /// <summary>
    /// Copies one page of <c>scan</c> of the source as of the fork point into the fork's history and entries, each
    /// change at its sequence. KEYS: the store marker (routing only). ARGV: as <see cref="AsOfScan"/> (root, source id,
    /// fork point, level, min, max, limit, prev), then the fork id. Returns <c>scan</c>'s <c>out</c>, a refusal, or
    /// <c>{-6}</c> when the guild is no fork of that source at that point any more.
    /// </summary>
    public const string DetachCopy = TimelineFunctions + ScanFunction +
        """
        local root, source, f, fork = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[9]
        local m = tmeta(root, fork)
        if not m or m.pg ~= source or m.fs ~= f then
          return { -6 }
        end
        local ftag = gtag(fork)
        local history, entries = tkey(root, 'h', ftag), tkey(root, 'e', ftag)
        return scan(root, source, f, tonumber(ARGV[4]), ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], function(out, op, key, ver, value, live, from, c)
          redis.call('HSET', entries, fmt(c), redis.call('HGET', from, fmt(c)))
          redis.call('ZADD', history, 0, op .. '\0' .. key .. '\0' .. pad(c))
        end)
        """;

    /// <summary>
    /// Publishes a detach: checks the fork again, then drops the link (no source, fork point 0), makes the old fork
    /// point its retained-from (and a prune's cursor: nothing of its own lies below), leaves the source's forks, and
    /// drops its pins and snapshots below the old fork point. KEYS: the store marker (routing only). ARGV: root, fork
    /// id, fork point copied. Returns a description, a refusal of <c>detachable</c>, or <c>{-6}</c> when the fork point
    /// is not the one copied.
    /// </summary>
    public const string DetachPublish = TimelineFunctions + DetachableFunction + DropSnapshotsFunction +
        """
        local root, g, f = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local m, err = detachable(root, g)
        if not m then
          return err
        end
        if m.fs ~= f then
          return { -6 }
        end
        local tag = gtag(g)
        local meta = tkey(root, '', tag)
        local pc = tonumber(redis.call('HGET', meta, 'pc') or 0)
        redis.call('HDEL', meta, 'pg')
        m.rf = math.max(m.rf, f)
        redis.call('HSET', meta, 'fs', 0, 'rf', m.rf, 'pc', math.max(pc, f))
        redis.call('ZREM', tkey(root, 'f', gtag(m.pg)), g)
        redis.call('ZREMRANGEBYSCORE', tkey(root, 'p', tag), '-inf', '(' .. fmt(f))
        drop_snapshots_below(root, tag, f)
        m.pg, m.fs = false, 0
        return describe(m)
        """;
}
