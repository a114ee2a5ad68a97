namespace TypedState.Redis;

// The store marker ({p}:e): the storage layout version and the epoch, checked when the driver connects and by
// every commit.
internal static partial class RedisScripts
{
    /// <summary>
    /// Prepares the store for a driver that connects: first reads the server's <c>maxmemory-policy</c> from
    /// <c>INFO memory</c> (allowed in scripts, unlike <c>CONFIG</c>) and, unless evicting servers are allowed, stops
    /// before writing anything when it is not <c>noeviction</c>; then, when asked, creates the store marker if
    /// missing (epoch id, version floor 0, layout 0: a new store, or one of layout 1, which had no marker). The driver
    /// raises the layout version once it has upgraded the store (<see cref="RedisLayoutUpgrade"/>).
    /// KEYS: the store marker. ARGV: <c>1</c> to allow an evicting policy, <c>1</c> to prepare the marker, a new
    /// epoch id, the driver's layout version. Returns <c>{0, policy, epoch, stored layout version (0 when the marker
    /// was created)}</c>, <c>{1, policy}</c> when the policy evicts, <c>{2, error}</c> when it cannot be read, or
    /// <c>{3, policy, epoch, stored layout version}</c> when the stored layout is newer than the driver's (unchanged).
    /// KEYS[1] is the store marker (the store root's).
    /// </summary>
    public const string Prepare =
        """
        local info = redis.pcall('INFO', 'memory')
        local policy
        if type(info) == 'table' then
          if ARGV[1] ~= '1' then
            return { 2, info.err or 'INFO failed' }
          end
          policy = ''
        else
          policy = string.match(info, 'maxmemory_policy:([%w%-]+)')
          if not policy and ARGV[1] ~= '1' then
            return { 2, 'INFO memory has no maxmemory_policy' }
          end
          policy = policy or ''
          if policy ~= 'noeviction' and ARGV[1] ~= '1' then
            return { 1, policy }
          end
        end
        if ARGV[2] ~= '1' then
          return { 0, policy }
        end

        local store = redis.call('HMGET', KEYS[1], 'epoch', 'layout')
        if not store[1] then
          redis.call('HSET', KEYS[1], 'epoch', ARGV[3], 'floor', 0, 'layout', store[2] or 0)
          return { 0, policy, ARGV[3], tonumber(store[2] or 0) }
        end
        local layout = tonumber(store[2] or 0)
        if layout > tonumber(ARGV[4]) then
          return { 3, policy, store[1], layout }
        end
        return { 0, policy, store[1], layout }
        """;

    /// <summary>
    /// Moves a driver whose commit found the store changed under it (status 3) to a new or the current epoch. A
    /// missing marker means the server lost the data: a new marker is made. A marker with the epoch the driver saw
    /// but a commit sequence below the highest it saw means the server went back to an older state (a failover to a
    /// replica or a restart from a snapshot that lacked commits): a new epoch id is drawn. Either way the version floor
    /// becomes the server clock in microseconds, above every version handed out before, and other drivers learn of it
    /// at their next commit. A different marker with floor 0 was made by a process that did not know the lost store:
    /// its floor is raised the same way. Each root has its own marker and epoch. KEYS: the root's marker. ARGV: the epoch
    /// the driver saw, a new epoch id. Returns the epoch to use.
    /// </summary>
    public const string AdoptEpoch = NowStatement +
        """
        local store = redis.call('HMGET', KEYS[1], 'epoch', 'floor')
        if not store[1] then
          redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'floor', now)
          return ARGV[2]
        end
        if store[1] == ARGV[1] then
          redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'floor', math.max(now, tonumber(store[2] or 0)))
          return ARGV[2]
        end
        if tonumber(store[2] or 0) == 0 then
          redis.call('HSET', KEYS[1], 'floor', now)
        end
        return store[1]
        """;
}
