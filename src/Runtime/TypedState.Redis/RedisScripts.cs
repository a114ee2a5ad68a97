namespace TypedState.Redis;

/// <summary>
/// Every Lua script the driver runs, one per kind of operation, each atomic on the server. They are sent with
/// <c>ScriptEvaluateAsync(string, …)</c>, which StackExchange.Redis turns into <c>EVALSHA</c> once the script is
/// loaded on a server (loading it again after a restart or <c>SCRIPT FLUSH</c>), so a script's text crosses the
/// wire once per connection. Names follow <see cref="RedisKeys"/>; a script that must reach keys it only learns
/// while running (a listing page's records, a guild's agents) builds their names from the root it is given.
/// </summary>
// One file for every script: they share one key layout and ARGV conventions, best read side by side.
internal static class RedisScripts
{
    /// <summary>
    /// A batch: every fence, then every version condition, then every write — or nothing.
    /// KEYS: per fence, the owner's lock tokens; then per write its record, index, tombstones, then unless the owner
    /// is global its scope's owner set, then for an agent owner the guild's agent set. ARGV: fence count, write
    /// count; per fence: <c>o</c> (owner fence) or <c>k</c>, the key resource, the token; per write:
    /// <c>s</c>/<c>d</c>/<c>c</c> (set, delete, check), the expected version (empty for any), the value, the key,
    /// the agent owner tag (empty unless an agent), the owner's member in its owner set (empty for global).
    /// A set adds the owner to its owner set (again, which also brings in owners stored before the set existed);
    /// a delete that empties the owner's index takes it out, so the set holds exactly the owners with live records.
    /// Returns <c>{0, version…}</c>, <c>{1, write index, live version}</c> or <c>{2, fence index, newest token}</c>.
    /// </summary>
    public const string Commit =
        """
        local nf, nw = tonumber(ARGV[1]), tonumber(ARGV[2])
        local a = 3
        for i = 1, nf do
          local tokens = KEYS[i]
          local newest
          if ARGV[a] == 'o' then
            newest = tonumber(redis.call('HGET', tokens, '#') or 0)
          else
            newest = math.max(tonumber(redis.call('HGET', tokens, 'o') or 0), tonumber(redis.call('HGET', tokens, ARGV[a + 1]) or 0))
          end
          if newest > tonumber(ARGV[a + 2]) then
            return { 2, i - 1, newest }
          end
          a = a + 3
        end

        -- How many KEYS the write whose arguments start at ARGV[w] has.
        local function width(w)
          local n = 3
          if ARGV[w + 5] ~= '' then n = n + 1 end
          if ARGV[w + 4] ~= '' then n = n + 1 end
          return n
        end

        local first_a, first_k = a, nf + 1
        local k = first_k
        local stored, live = {}, {}
        for i = 1, nw do
          local record = KEYS[k]
          local n = tonumber(redis.call('HGET', record, 'n') or 0)
          local l = 0
          if n > 0 and redis.call('HEXISTS', record, 'v') == 1 then
            l = n
          end
          stored[i], live[i] = n, l
          local expected = ARGV[a + 1]
          if expected ~= '' and tonumber(expected) ~= l then
            return { 1, i - 1, l }
          end
          k = k + width(a)
          a = a + 6
        end

        local versions = { 0 }
        a, k = first_a, first_k
        for i = 1, nw do
          local kind, member, agent, owner = ARGV[a], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
          local record, index, tombstones = KEYS[k], KEYS[k + 1], KEYS[k + 2]
          local owners, guild_agents = nil, nil
          if owner ~= '' then owners = KEYS[k + 3] end
          if agent ~= '' then guild_agents = KEYS[k + 4] end
          if kind == 's' then
            local version = stored[i] + 1
            redis.call('HSET', record, 'v', ARGV[a + 2], 'n', version)
            redis.call('ZADD', index, 0, member)
            if stored[i] > live[i] then
              redis.call('SREM', tombstones, member)
            end
            if owners then
              redis.call('ZADD', owners, 0, owner)
            end
            if guild_agents then
              redis.call('SADD', guild_agents, agent)
            end
            versions[i + 1] = version
          elseif kind == 'd' then
            if live[i] > 0 then
              redis.call('HDEL', record, 'v')
              redis.call('HSET', record, 'n', live[i] + 1)
              redis.call('ZREM', index, member)
              redis.call('SADD', tombstones, member)
              if owners and redis.call('EXISTS', index) == 0 then
                redis.call('ZREM', owners, owner)
              end
            end
            versions[i + 1] = live[i]
          else
            versions[i + 1] = live[i]
          end
          k = k + width(a)
          a = a + 6
        end
        return versions
        """;

    /// <summary>
    /// One listing page, read at one instant: up to <c>limit</c> keys of the index in the lexical range, with the
    /// value and version of each (a key whose record vanished is skipped).
    /// KEYS: the owner's index. ARGV: min, max (ZRANGEBYLEX bounds), limit, the owner's record name base.
    /// Returns <c>{keys scanned, last key scanned, key, value, version, key, value, version, …}</c>.
    /// </summary>
    public const string ListPage =
        """
        local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        local out = { #members, members[#members] or '' }
        for _, member in ipairs(members) do
          local r = redis.call('HMGET', ARGV[4] .. member, 'v', 'n')
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
    /// lexical range, each with its owner's index checked. A member whose owner has no live record left (an owner
    /// emptied or removed by a driver that did not maintain the set) is dropped from the set and skipped, so a
    /// listing never yields an owner without live records.
    /// KEYS: the scope's owner set. ARGV: min, max (ZRANGEBYLEX bounds), limit, the root, <c>a</c> (agent
    /// members: guild NUL agent) or <c>g</c> (guild members). Returns <c>{members scanned, last member scanned,
    /// member…}</c>, the listed members in order.
    /// </summary>
    public const string ListOwnersPage =
        """
        local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        local out = { #members, members[#members] or '' }
        local root, agents = ARGV[4], ARGV[5] == 'a'
        for _, member in ipairs(members) do
          local tag
          if agents then
            local nul = string.find(member, '\0', 1, true)
            local guild, agent = string.sub(member, 1, nul - 1), string.sub(member, nul + 1)
            tag = 'agent:' .. #guild .. ':' .. guild .. ':' .. #agent .. ':' .. agent
          else
            tag = 'guild:' .. #member .. ':' .. member
          end
          -- Redis deletes an emptied sorted set, so the index exists exactly while the owner has a live record.
          if redis.call('EXISTS', root .. 'i:' .. tag) == 1 then
            out[#out + 1] = member
          else
            redis.call('ZREM', KEYS[1], member)
          end
        end
        return out
        """;

    /// <summary>
    /// Removes an owner's records, tombstones and index, and takes it out of its owner set; for a guild, also every
    /// agent owner in the guild's agent set, and the guild's agents from the agent owner set (the lexical range of
    /// members starting with the guild id and NUL). Lock tokens are kept, so fencing tokens keep growing after a
    /// removal. KEYS: the owner's index, its tombstones, the guild's agent set, the owner's scope's owner set, the
    /// agent owner set. ARGV: <c>a</c> (agent) or <c>g</c> (guild), the root, the owner tag, the owner's member.
    /// Returns the number of records and tombstones removed.
    /// </summary>
    public const string RemoveOwner =
        """
        local root = ARGV[2]
        local removed = 0
        local function drop(tag, index, tombstones)
          local base = root .. 'r:' .. tag .. ':'
          local names = {}
          for _, member in ipairs(redis.call('ZRANGE', index, 0, -1)) do
            names[#names + 1] = base .. member
          end
          for _, member in ipairs(redis.call('SMEMBERS', tombstones)) do
            names[#names + 1] = base .. member
          end
          for i = 1, #names, 1000 do
            removed = removed + redis.call('UNLINK', unpack(names, i, math.min(i + 999, #names)))
          end
          redis.call('UNLINK', index, tombstones)
        end

        drop(ARGV[3], KEYS[1], KEYS[2])
        redis.call('ZREM', KEYS[4], ARGV[4])
        if ARGV[1] == 'a' then
          redis.call('SREM', KEYS[3], ARGV[3])
        else
          for _, agent in ipairs(redis.call('SMEMBERS', KEYS[3])) do
            drop(agent, root .. 'i:' .. agent, root .. 't:' .. agent)
          end
          redis.call('UNLINK', KEYS[3])
          -- Ids hold no control characters, so the range [guild NUL, guild \1) is exactly the guild's agents.
          redis.call('ZREMRANGEBYLEX', KEYS[5], '[' .. ARGV[4] .. '\0', '(' .. ARGV[4] .. '\1')
        end
        return removed
        """;

    /// <summary>
    /// Grants a lock unless a conflicting one is held (the owner lock conflicts with every held lock of the owner;
    /// a key lock with the owner lock and the same key's lock). Leases are measured with the server's clock in
    /// microseconds, so every client agrees on expiry. KEYS: the owner's lock tokens, its held locks.
    /// ARGV: the resource, the lease in microseconds. Returns <c>{token, lease end}</c>, or nil when taken.
    /// </summary>
    public const string AcquireLock =
        """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        local resource = ARGV[1]
        if resource == 'o' then
          if redis.call('ZCARD', KEYS[2]) > 0 then
            return false
          end
        elseif redis.call('ZSCORE', KEYS[2], 'o') or redis.call('ZSCORE', KEYS[2], resource) then
          return false
        end
        local token = redis.call('HINCRBY', KEYS[1], '#', 1)
        redis.call('HSET', KEYS[1], resource, token)
        local expires = now + tonumber(ARGV[2])
        redis.call('ZADD', KEYS[2], expires, resource)
        return { token, expires }
        """;

    /// <summary>
    /// Extends a held, unexpired lock if it is still the grant with the token. KEYS: the owner's lock tokens, its
    /// held locks. ARGV: the resource, the token, the lease in microseconds. Returns the new lease end, or nil.
    /// </summary>
    public const string RenewLock =
        """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
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
