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
    /// fewer than a million locks a second. KEYS: the owner's lock tokens, its held locks. ARGV: the resource, the
    /// lease in microseconds. Returns <c>{token, lease end}</c>, or nil when taken.
    /// </summary>
    public const string AcquireLock = NowStatement +
        """
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        local resource = ARGV[1]
        if resource == 'o' then
          if redis.call('ZCARD', KEYS[2]) > 0 then
            return false
          end
        elseif redis.call('ZSCORE', KEYS[2], 'o') or redis.call('ZSCORE', KEYS[2], resource) then
          return false
        end
        local token = math.max(tonumber(redis.call('HGET', KEYS[1], '#') or 0) + 1, now)
        redis.call('HSET', KEYS[1], '#', token, resource, token)
        local expires = now + tonumber(ARGV[2])
        redis.call('ZADD', KEYS[2], expires, resource)
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
