namespace TypedState.Redis;

// Owner removal: one short script moves the owner to a new key space (the removal takes effect there, atomically),
// then bounded steps delete the old space's keys.
internal static partial class RedisScripts
{
    /// <summary>
    /// Starts removing an owner: unless it has nothing to remove, draws a new space id for it (its later records
    /// live under new names, so commits that follow land apart from what is being deleted), raises the guild's
    /// version floor to the server clock in microseconds (above every version handed out so far, which grow by one
    /// per write from floors that were themselves clock readings or 0), takes the owner out of its owner set (an
    /// agent also out of its guild's agent set), and queues the old space for deletion: the owner's records,
    /// tombstones and index; for a guild also its agent set, whose agents are queued in turn. Lock tokens are kept.
    /// KEYS: the store marker (routing only). ARGV: root, <c>a</c> (agent) or <c>g</c> (guild), the owner tag, the
    /// guild tag, the owner's member in its owner set. Timelines first: a guild with live forks is not removed
    /// (<c>{2, head, fork…}</c>, nothing changed); a removed guild's timeline keys are unlinked (a constant number of
    /// keys: <c>UNLINK</c> frees them off the main thread) and it leaves its source's forks; a removed agent of a guild
    /// with a timeline adds a removal entry. Returns <c>{1}</c> when something was queued, <c>{0}</c> when there was
    /// nothing.
    /// </summary>
    public const string StartRemoval = SpaceFunction + NowStatement + TimelineWriting +
        """
        local mode, tag, guild_tag, member = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local root = groot(ARGV[1], guild_tag)
        local tmeta_key = tkey(root, '', guild_tag)
        if mode == 'g' then
          local forks = redis.call('ZRANGE', tkey(root, 'f', guild_tag), 0, -1)
          if #forks > 0 then
            return { 2, tonumber(redis.call('HGET', tmeta_key, 'h')), unpack(forks) }
          end
          local parent = redis.call('HGET', tmeta_key, 'pg')
          if parent then
            redis.call('ZREM', tkey(root, 'f', gtag(parent)), member)
          end
          redis.call('UNLINK', tmeta_key, tkey(root, 'e', guild_tag), tkey(root, 'h', guild_tag), tkey(root, 'r', guild_tag),
            tkey(root, 'a', guild_tag), tkey(root, 'f', guild_tag), tkey(root, 's', guild_tag), tkey(root, 'p', guild_tag))
        elseif redis.call('EXISTS', tmeta_key) == 1 then
          local op = 'a' .. string.sub(member, string.find(member, '\0', 1, true) + 1)
          local seq = redis.call('HINCRBY', tmeta_key, 'h', 1)
          redis.call('HSET', tkey(root, 'e', guild_tag), fmt(seq), encode('r', 0, 0, '', now, op, '', ''))
          redis.call('ZADD', tkey(root, 'r', guild_tag), 0, op .. '\0' .. pad(seq))
        end
        local suffix, gs, as, floor = space(root, tag, guild_tag)
        local index, tombstones = root .. 'i' .. suffix .. ':' .. tag, root .. 't' .. suffix .. ':' .. tag
        local agents = root .. 'ga' .. (gs or '') .. ':' .. guild_tag
        if redis.call('EXISTS', index, tombstones) == 0 and (mode == 'a' or redis.call('EXISTS', agents) == 0) then
          return { 0 }
        end

        local sid = redis.call('INCR', root .. 'sid')
        local guild_meta = root .. 'm:' .. guild_tag
        redis.call('HSET', guild_meta, 'f', math.max(floor, now))
        local queue = root .. 'gc'
        redis.call('RPUSH', queue, 's\n' .. suffix .. '\n' .. tag .. '\n' .. guild_tag)
        if mode == 'a' then
          redis.call('HSET', root .. 'm:' .. tag, 's', sid)
          redis.call('SREM', agents, (as and (as .. ':') or '') .. tag)
          redis.call('ZREM', root .. 'o:agent', member)
        else
          redis.call('HSET', guild_meta, 's', sid)
          redis.call('ZREM', root .. 'o:guild', member)
          redis.call('RPUSH', queue, 'a\n' .. (gs or '') .. '\n' .. guild_tag)
        end
        return { 1 }
        """;

    /// <summary>
    /// One bounded step of the deletion queue (<c>{p}:gc</c>, a list of jobs, each fields joined by newlines, which
    /// ids never hold): deletes up to <c>budget</c> records and tombstones of the first queued key space
    /// (<c>s</c>, suffix, owner tag, guild tag), raising the guild's version floor to the highest version deleted; or
    /// turns up to 100 members of a removed guild's agent set (<c>a</c>, guild space, guild tag) into key-space jobs,
    /// dropping each agent from the agent owner set unless it holds records in its current space. A job leaves the
    /// queue once empty. KEYS: the store marker (routing only). ARGV: root, budget.
    /// Returns <c>{records and tombstones deleted, jobs left}</c>.
    /// </summary>
    public const string CollectRemoved = SpaceFunction +
        """
        local root, budget = ARGV[1], tonumber(ARGV[2])
        local queue = root .. 'gc'
        local deleted = 0

        local function fields(job)
          local out, p = {}, 1
          while true do
            local q = string.find(job, '\n', p, true)
            if not q then
              out[#out + 1] = string.sub(job, p)
              return out
            end
            out[#out + 1] = string.sub(job, p, q - 1)
            p = q + 1
          end
        end

        -- 'agent:<n>:<guild>:<m>:<agent>' (byte lengths) to the owner set's member, guild NUL agent.
        local function agent_member(tag)
          local c = string.find(tag, ':', 7, true)
          local n = tonumber(string.sub(tag, 7, c - 1))
          local guild = string.sub(tag, c + 1, c + n)
          local c2 = string.find(tag, ':', c + n + 2, true)
          return guild .. '\0' .. string.sub(tag, c2 + 1)
        end

        while budget > 0 do
          local job = redis.call('LINDEX', queue, 0)
          if not job then
            break
          end
          local f = fields(job)
          if f[1] == 's' then
            local suffix, tag, guild_tag = f[2], f[3], f[4]
            local index, tombstones = root .. 'i' .. suffix .. ':' .. tag, root .. 't' .. suffix .. ':' .. tag
            local base = root .. 'r' .. suffix .. ':' .. tag .. ':'
            local names = {}
            local popped = redis.call('ZPOPMIN', index, budget)
            for i = 1, #popped, 2 do
              names[#names + 1] = base .. popped[i]
            end
            if #names < budget then
              for _, key in ipairs(redis.call('SPOP', tombstones, budget - #names)) do
                names[#names + 1] = base .. key
              end
            end
            local highest = 0
            for _, name in ipairs(names) do
              local n = tonumber(redis.call('HGET', name, 'n') or 0)
              if n > highest then
                highest = n
              end
            end
            for i = 1, #names, 500 do
              redis.call('UNLINK', unpack(names, i, math.min(i + 499, #names)))
            end
            local meta = root .. 'm:' .. guild_tag
            if highest > tonumber(redis.call('HGET', meta, 'f') or 0) then
              redis.call('HSET', meta, 'f', highest)
            end
            deleted = deleted + #names
            budget = budget - math.max(#names, 1)
            if redis.call('EXISTS', index, tombstones) == 0 then
              redis.call('LPOP', queue)
            end
          else
            local gs, guild_tag = f[2], f[3]
            local members = redis.call('SPOP', root .. 'ga' .. gs .. ':' .. guild_tag, math.min(budget, 100))
            for _, m in ipairs(members) do
              local as, tag = false, m
              if string.sub(m, 1, 6) ~= 'agent:' then
                local c = string.find(m, ':', 1, true)
                as, tag = string.sub(m, 1, c - 1), string.sub(m, c + 1)
              end
              local suffix = ''
              if gs ~= '' or as then
                suffix = (gs ~= '' and gs or '0') .. '.' .. (as or '0')
              end
              redis.call('RPUSH', queue, 's\n' .. suffix .. '\n' .. tag .. '\n' .. guild_tag)
              if redis.call('EXISTS', root .. 'i' .. space(root, tag, guild_tag) .. ':' .. tag) == 0 then
                redis.call('ZREM', root .. 'o:agent', agent_member(tag))
              end
            end
            budget = budget - math.max(#members, 1)
            if #members == 0 then
              redis.call('LPOP', queue)
            end
          end
        end
        return { deleted, redis.call('LLEN', queue) }
        """;
}
