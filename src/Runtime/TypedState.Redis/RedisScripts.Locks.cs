namespace TypedState.Redis;

// Locks: leases by the server clock (TIME), and fencing tokens that never fall behind it.
internal static partial class RedisScripts
{
    /// <summary>
    /// Grants a lock unless a conflicting one is held (the owner lock conflicts with every held lock of the owner;
    /// a key lock with the owner lock and the same key's lock). Leases are measured with the server's clock in
    /// microseconds, so every client agrees on expiry. The token is the owner's counter plus one, but never below
    /// the server clock in microseconds: a server that lost the counter (a restart without persistence, a failover
    /// to a replica that lacked it) still grants a token above every earlier one, as long as the owner was granted
    /// fewer than a million locks a second. The grant's holder is kept beside its token (field <c>w</c> + resource;
    /// none when empty) and the owner is added to the set of owners with locks, for listings. KEYS: the owner's lock
    /// tokens, its held locks, the set of owners with locks. ARGV: the resource, the lease in microseconds, the holder
    /// (or empty), the owner's member of that set. Returns <c>{token, lease end}</c>, or nil when taken.
    /// </summary>
    public const string AcquireLock = NowStatement +
        """
        local resource = ARGV[1]
        -- An owner holding no lease (the common case) needs no clean-up and has no conflict: one ZCARD tells.
        local held = redis.call('ZCARD', KEYS[2])
        if held > 0 then
          held = held - redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
          if resource == 'o' then
            if held > 0 then
              return false
            end
          elseif held > 0 and (redis.call('ZSCORE', KEYS[2], 'o') or redis.call('ZSCORE', KEYS[2], resource)) then
            return false
          end
        end
        local token = math.max(tonumber(redis.call('HGET', KEYS[1], '#') or 0) + 1, now)
        if ARGV[3] == '' then
          redis.call('HSET', KEYS[1], '#', token, resource, token)
          redis.call('HDEL', KEYS[1], 'w' .. resource)
        else
          redis.call('HSET', KEYS[1], '#', token, resource, token, 'w' .. resource, ARGV[3])
        end
        local expires = now + tonumber(ARGV[2])
        redis.call('ZADD', KEYS[2], expires, resource)
        redis.call('ZADD', KEYS[3], 0, ARGV[4])
        return { token, expires }
        """;

    /// <summary>
    /// Extends a held, unexpired lock if it is still the grant with the token. KEYS: the owner's lock tokens, its
    /// held locks. ARGV: the resource, the token, the lease in microseconds. Returns the new lease end, or nil.
    /// </summary>
    public const string RenewLock = NowStatement +
        """
        local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not score or tonumber(score) <= now or tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or 0) ~= tonumber(ARGV[2]) then
          return false
        end
        local expires = now + tonumber(ARGV[3])
        redis.call('ZADD', KEYS[2], expires, ARGV[1])
        return expires
        """;

    /// <summary>
    /// Lists one page of held locks, read at one instant: up to <c>limit</c> members of the set of owners with locks
    /// in the lexical range, and every lock of each that is held now, with its token and holder. A member whose owner
    /// holds none is dropped from the set (its expired leases too) once nothing of it is held.
    /// KEYS: the set of owners with locks. ARGV: min, max (ZRANGEBYLEX bounds), limit, the root. Members are the
    /// scope's number and <see cref="RedisKeys.OwnerMember"/>. Returns <c>{members scanned, last member scanned,
    /// member, resource, token, lease end, holder (or false), …}</c>.
    /// </summary>
    public const string ListLocksPage = NowStatement +
        """
        local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        local out = { #members, members[#members] or '' }
        local root = ARGV[4]
        local after = string.format('(%.0f', now)
        for _, member in ipairs(members) do
          local scope, ids = string.sub(member, 1, 1), string.sub(member, 2)
          local tag = 'global'
          if scope == '2' then
            tag = 'guild:' .. #ids .. ':' .. ids
          elseif scope == '1' then
            local nul = string.find(ids, '\0', 1, true)
            local guild, agent = string.sub(ids, 1, nul - 1), string.sub(ids, nul + 1)
            tag = 'agent:' .. #guild .. ':' .. guild .. ':' .. #agent .. ':' .. agent
          end
          local held, tokens = root .. 'h:' .. tag, root .. 'l:' .. tag
          local live = redis.call('ZRANGEBYSCORE', held, after, '+inf', 'WITHSCORES')
          if #live == 0 then
            redis.call('ZREMRANGEBYSCORE', held, '-inf', now)
            redis.call('ZREM', KEYS[1], member)
          end
          for i = 1, #live, 2 do
            local resource = live[i]
            local grant = redis.call('HMGET', tokens, resource, 'w' .. resource)
            out[#out + 1] = member
            out[#out + 1] = resource
            out[#out + 1] = grant[1]
            out[#out + 1] = live[i + 1]
            out[#out + 1] = grant[2]
          end
        end
        return out
        """;

    /// <summary>
    /// Releases a lock if it is still the grant with the token (the newest grant on a resource is its holder).
    /// KEYS: the owner's lock tokens, its held locks. ARGV: the resource, the token. Returns 1 when released.
    /// </summary>
    public const string ReleaseLock =
        """
        if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or 0) == tonumber(ARGV[2]) then
          return redis.call('ZREM', KEYS[2], ARGV[1])
        end
        return 0
        """;
}
