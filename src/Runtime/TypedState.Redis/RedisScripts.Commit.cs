namespace TypedState.Redis;

// The commit: a remembered commit id answers at once; then the epoch, every fence and every version condition are
// checked, then every write applied — or nothing.
internal static partial class RedisScripts
{
    /// <summary>How many ARGV entries each write of a commit has.</summary>
    public const int CommitArgsPerWrite = 7;

    /// <summary>How many ARGV entries precede the fences and writes of a commit.</summary>
    public const int CommitHeaderArgs = 7;

    /// <summary>
    /// A batch. First, an applied commit id is looked up: if the server remembers it, the versions it returned are
    /// returned again and nothing is applied. Then the store's epoch must be the one the driver saw, and its commit
    /// sequence (counted by every applied commit) no lower than the highest the driver saw: otherwise the server lost
    /// data since (a restart without persistence, a failover to a replica or a snapshot that lacked commits), and
    /// nothing is applied. Then every fence, then every version condition, then every write.
    /// KEYS: the store marker, then per fence the owner's lock tokens. ARGV: fence count, write count, root, the
    /// epoch the driver saw, the commit id (empty for none), its retention in milliseconds, the highest commit
    /// sequence the driver saw; per fence: <c>o</c>
    /// (owner fence) or <c>k</c>, the key resource, the token; per write: <c>s</c>/<c>d</c>/<c>c</c> (set, delete,
    /// check), the expected version (empty for any), the value, the key, the owner tag, the guild tag (empty for
    /// global state), the owner's member in its owner set (empty for global).
    /// A record that has no record or tombstone in the owner's key space starts above the guild's version floor;
    /// every version written is above the epoch's floor. A set adds the owner to its owner set (and an agent to its
    /// guild's agent set); a delete that empties the owner's index takes it out of the owner set.
    /// <para>Timelines: once a timeline was started in the store (field <c>tl</c> of the marker, read with the epoch),
    /// each guild the batch writes to is looked up once after the fences (one <c>HMGET</c> of its timeline meta, the
    /// only cost for guilds without one; stores that never started a timeline skip it): a write to a paused guild, or an append (<c>a</c>: the
    /// key is the event id, the value its document) to a guild without a timeline, refuses the batch. Each applied
    /// set, delete of a live record and new append to a guild with a timeline then adds an entry at the next
    /// sequence, with its history member; an append whose id the timeline (or, up to the fork point, a source)
    /// holds adds nothing and answers that entry's sequence.</para>
    /// Returns <c>{0, commit sequence (0 for a remembered commit), version…}</c>, <c>{1, write index, live version}</c>,
    /// <c>{2, fence index, newest token}</c>, <c>{3, the store's epoch}</c> or <c>{4, write index, paused-at or -1}</c>.
    /// </summary>
    public const string Commit = SpaceFunction + TimelineWriting +
        """
        local nf, nw, root, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[5]
        if id ~= '' then
          local remembered = redis.call('GET', root .. 'c:' .. id)
          if remembered then
            local out = { 0, 0 }
            for v in string.gmatch(remembered, '%d+') do
              out[#out + 1] = tonumber(v)
            end
            return out
          end
        end

        local store = redis.call('HMGET', KEYS[1], 'epoch', 'floor', 'seq', 'tl')
        if store[1] ~= ARGV[4] or tonumber(store[3] or 0) < tonumber(ARGV[7]) then
          return { 3, store[1] or '' }
        end
        local epoch_floor = tonumber(store[2] or 0)

        local a = 8
        for i = 1, nf do
          local tokens = KEYS[i + 1]
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

        -- Each owner's key space, read once per batch.
        local spaces = {}
        local function space_of(tag, guild_tag)
          local s = spaces[tag]
          if not s then
            local suffix, gs, as, floor = space(root, tag, guild_tag)
            s = { suffix = suffix, gs = gs, as = as, floor = floor }
            spaces[tag] = s
          end
          return s
        end

        -- Each guild's timeline, looked up once per batch: false when it has none.
        local first_a = a
        local timelines = {}
        for i = 1, nw do
          local kind, guild_tag = ARGV[a], ARGV[a + 5]
          local t = false
          if guild_tag ~= '' and store[4] then
            t = timelines[guild_tag]
            if t == nil then
              local meta = root .. 'x:' .. guild_tag
              local tm = redis.call('HMGET', meta, 'h', 'p')
              t = tm[1] and { p = tm[2], meta = meta, e = tkey(root, 'e', guild_tag), h = tkey(root, 'h', guild_tag) } or false
              timelines[guild_tag] = t
            end
          end
          if t and t.p then
            return { 4, i - 1, tonumber(t.p) }
          end
          if kind == 'a' and not t then
            return { 4, i - 1, -1 }
          end
          a = a + 7
        end

        a = first_a
        local records, stored, live = {}, {}, {}
        for i = 1, nw do
          local tag = ARGV[a + 4]
          local s = space_of(tag, ARGV[a + 5])
          local record = root .. 'r' .. s.suffix .. ':' .. tag .. ':' .. ARGV[a + 3]
          local n = tonumber(redis.call('HGET', record, 'n') or 0)
          local l = 0
          if n > 0 and redis.call('HEXISTS', record, 'v') == 1 then
            l = n
          end
          records[i], stored[i], live[i] = record, n, l
          local expected = ARGV[a + 1]
          if ARGV[a] ~= 'a' and expected ~= '' and tonumber(expected) ~= l then
            return { 1, i - 1, l }
          end
          a = a + 7
        end

        local versions = { 0, 0 }
        local now
        -- Adds an entry to the guild's timeline t; returns its sequence.
        local function log(t, kind, prev, ver, tag, guild_tag, owner, key, value)
          if not now then
            local time = redis.call('TIME')
            now = tonumber(time[1]) * 1000000 + tonumber(time[2])
          end
          local op = 'g'
          if tag ~= guild_tag then
            op = 'a' .. string.sub(owner, string.find(owner, '\0', 1, true) + 1)
          end
          local seq = redis.call('HINCRBY', t.meta, 'h', 1)
          if kind == 'a' then
            ver = seq
          end
          redis.call('HSET', t.e, fmt(seq), encode(kind, prev, ver, id, now, op, key, value))
          if kind ~= 'a' then
            redis.call('ZADD', t.h, 0, op .. '\0' .. key .. '\0' .. pad(seq))
          end
          return seq
        end

        a = first_a
        for i = 1, nw do
          local kind, key, tag, guild_tag, owner = ARGV[a], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
          local t = guild_tag ~= '' and timelines[guild_tag]
          local s = spaces[tag]
          local record = records[i]
          local index = root .. 'i' .. s.suffix .. ':' .. tag
          local v = i + 2
          if kind == 's' then
            local base = stored[i]
            if base == 0 then
              base = s.floor
            end
            local version = math.max(base, epoch_floor) + 1
            redis.call('HSET', record, 'v', ARGV[a + 2], 'n', version)
            redis.call('ZADD', index, 0, key)
            if stored[i] > live[i] then
              redis.call('SREM', root .. 't' .. s.suffix .. ':' .. tag, key)
            end
            if owner ~= '' then
              if tag == guild_tag then
                redis.call('ZADD', root .. 'o:guild', 0, owner)
              else
                redis.call('ZADD', root .. 'o:agent', 0, owner)
                redis.call('SADD', root .. 'ga' .. (s.gs or '') .. ':' .. guild_tag, (s.as and (s.as .. ':') or '') .. tag)
              end
            end
            versions[v] = version
            if t then
              log(t, 's', live[i], version, tag, guild_tag, owner, key, ARGV[a + 2])
            end
          elseif kind == 'a' then
            local at, bound, chain = false, math.huge, guild_tag
            while chain do
              local seq = redis.call('HGET', tkey(root, 'a', chain), key)
              if seq and tonumber(seq) <= bound then
                at = tonumber(seq)
                break
              end
              local parent = redis.call('HMGET', root .. 'x:' .. chain, 'pg', 'fs')
              chain = parent[1] and gtag(parent[1])
              bound = math.min(bound, tonumber(parent[2] or 0))
            end
            if not at then
              at = log(t, 'a', 0, 0, tag, guild_tag, owner, key, ARGV[a + 2])
              redis.call('HSET', tkey(root, 'a', guild_tag), key, at)
            end
            versions[v] = at
          elseif kind == 'd' then
            if live[i] > 0 then
              local tombstone = math.max(live[i], epoch_floor) + 1
              redis.call('HDEL', record, 'v')
              redis.call('HSET', record, 'n', tombstone)
              if t then
                log(t, 'd', live[i], tombstone, tag, guild_tag, owner, key, '')
              end
              redis.call('ZREM', index, key)
              redis.call('SADD', root .. 't' .. s.suffix .. ':' .. tag, key)
              if owner ~= '' and redis.call('EXISTS', index) == 0 then
                redis.call('ZREM', root .. (tag == guild_tag and 'o:guild' or 'o:agent'), owner)
              end
            end
            versions[v] = live[i]
          else
            versions[v] = live[i]
          end
          a = a + 7
        end

        versions[2] = redis.call('HINCRBY', KEYS[1], 'seq', 1)
        if id ~= '' then
          local parts = {}
          for i = 3, #versions do
            parts[#parts + 1] = string.format('%.0f', versions[i])
          end
          redis.call('SET', root .. 'c:' .. id, table.concat(parts, ','), 'PX', ARGV[6])
        end
        return versions
        """;
}
