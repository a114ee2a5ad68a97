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
    /// returned again and nothing is applied. Then each root marker's epoch must be the one the driver saw (when it
    /// saw one), and its commit sequence (counted by every applied commit of the root) no lower than the highest the
    /// driver saw: otherwise the server lost data since (a restart without persistence, a failover to a replica or a
    /// snapshot that lacked commits), and nothing is applied. Then every fence, then every version condition, then
    /// every write.
    /// KEYS: the marker of each root the batch touches (<c>&lt;root&gt;e</c>, the first also keeps the commit id),
    /// then per fence the owner's lock tokens. ARGV: fence count, write count, the store root, root count, the commit
    /// id (empty for none), its retention in milliseconds, the driver's id (a marker made now takes
    /// <c>&lt;driver id&gt;-&lt;server microseconds&gt;</c> as its epoch); per root: the epoch the
    /// driver saw (empty for none), the highest commit sequence it saw; per fence: <c>o</c>
    /// (owner fence) or <c>k</c>, the key resource, the token; per write: <c>s</c>/<c>d</c>/<c>c</c> (set, delete,
    /// check), the expected version (empty for any), the value, the key, the owner tag, the guild tag (empty for
    /// global state), the owner's member in its owner set (empty for global).
    /// A record that has no record or tombstone in the owner's key space starts above the guild's version floor;
    /// every version written is above its root's epoch floor. A set of a record not live yet adds its key to the
    /// owner's index and the owner to its owner set (and, for the key space's first record of an agent, the agent to
    /// its guild's agent set): a live record's owner is in both already, since only a removal (which draws a new key
    /// space) or an emptied index takes it out. A delete that empties the owner's index takes it out of the owner set.
    /// <para>Timelines: once a timeline was started in the store (field <c>tl</c> of the marker, read with the epoch),
    /// each guild the batch writes to is looked up once after the fences (one <c>HMGET</c> of its timeline meta, the
    /// only cost for guilds without one; stores that never started a timeline skip it): a write to a paused guild, or an append (<c>a</c>: the
    /// key is the event id, the value its document) to a guild without a timeline, refuses the batch. Each applied
    /// set, delete of a live record and new append to a guild with a timeline then adds an entry at the next
    /// sequence, with its history member; an append whose id the timeline (or, up to the fork point, a source)
    /// holds adds nothing and answers that entry's sequence.</para>
    /// Returns <c>{0, root count (0 for a remembered commit), (epoch, commit sequence) per root, version…}</c> (the
    /// epoch empty when it is the one the driver sent, so the common answer carries no text),
    /// <c>{1, write index, live version}</c>, <c>{2, fence index, newest token}</c>, <c>{3, root index, the root's
    /// epoch}</c> or <c>{4, write index, paused-at or -1}</c>.
    /// </summary>
    public const string Commit = SpaceFunction + TimelineWriting +
        """
        local nf, nw, root, nr, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
        -- Applied commit ids live under the root of the batch's first marker.
        local remember = string.sub(KEYS[1], 1, -2) .. 'c:' .. id
        if id ~= '' then
          local remembered = redis.call('GET', remember)
          if remembered then
            local out = { 0, 0 }
            for v in string.gmatch(remembered, '%d+') do
              out[#out + 1] = tonumber(v)
            end
            return out
          end
        end

        -- Each root's marker: the epoch the driver saw (empty when it knows none) and no fewer commits than it saw.
        local a = 8
        local stores, ridx = {}, {}
        for r = 1, nr do
          local store = redis.call('HMGET', KEYS[r], 'epoch', 'floor', 'seq', 'tl')
          if ARGV[a] ~= '' and (store[1] ~= ARGV[a] or tonumber(store[3] or 0) < tonumber(ARGV[a + 1])) then
            return { 3, r - 1, store[1] or '' }
          end
          stores[r] = { epoch = store[1], floor = tonumber(store[2] or 0), tl = store[4], seen = ARGV[a] }
          ridx[string.sub(KEYS[r], 1, -2)] = stores[r]
          a = a + 2
        end

        for i = 1, nf do
          local tokens = KEYS[nr + i]
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

        -- Each write's root and store; each guild's timeline, looked up once per batch: false when it has none.
        local first_a = a
        local timelines, roots = {}, {}
        for i = 1, nw do
          local kind, guild_tag = ARGV[a], ARGV[a + 5]
          local wroot = groot(root, guild_tag)
          roots[i] = wroot
          local t = false
          if guild_tag ~= '' and ridx[wroot].tl then
            t = timelines[guild_tag]
            if t == nil then
              local meta = tkey(root, '', guild_tag)
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
          local record = roots[i] .. 'r' .. s.suffix .. ':' .. tag .. ':' .. ARGV[a + 3]
          -- One read for the version and liveness: a tombstone keeps its version ('n') without a value ('v').
          local nv = redis.call('HMGET', record, 'n', 'v')
          local n = tonumber(nv[1] or 0)
          local l = 0
          if n > 0 and nv[2] then
            l = n
          end
          records[i], stored[i], live[i] = record, n, l
          local expected = ARGV[a + 1]
          if ARGV[a] ~= 'a' and expected ~= '' and tonumber(expected) ~= l then
            return { 1, i - 1, l }
          end
          a = a + 7
        end

        local versions = {}
        -- Owners added to their owner set, and agents to their guild's agent set, by this batch.
        local listed, grouped = {}, {}
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
          local wroot = roots[i]
          local epoch_floor = ridx[wroot].floor
          local v = i
          if kind == 's' then
            local base = stored[i]
            if base == 0 then
              base = s.floor
            end
            local version = math.max(base, epoch_floor) + 1
            redis.call('HSET', record, 'v', ARGV[a + 2], 'n', version)
            -- A live record's key is in its owner's index already, and any record or tombstone of this key space
            -- put its agent in its guild's agent set. The owner set is added to on every set (once per owner and
            -- batch), so an owner missing from it is listed again after its next set.
            if live[i] == 0 then
              redis.call('ZADD', wroot .. 'i' .. s.suffix .. ':' .. tag, 0, key)
              if stored[i] > 0 then
                redis.call('SREM', wroot .. 't' .. s.suffix .. ':' .. tag, key)
              end
            end
            if owner ~= '' then
              if not listed[tag] then
                listed[tag] = true
                redis.call('ZADD', wroot .. (tag == guild_tag and 'o:guild' or 'o:agent'), 0, owner)
              end
              if tag ~= guild_tag and stored[i] == 0 and not grouped[tag] then
                grouped[tag] = true
                redis.call('SADD', wroot .. 'ga' .. (s.gs or '') .. ':' .. guild_tag, (s.as and (s.as .. ':') or '') .. tag)
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
              local parent = redis.call('HMGET', tkey(root, '', chain), 'pg', 'fs')
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
              local index = wroot .. 'i' .. s.suffix .. ':' .. tag
              local tombstone = math.max(live[i], epoch_floor) + 1
              redis.call('HDEL', record, 'v')
              redis.call('HSET', record, 'n', tombstone)
              if t then
                log(t, 'd', live[i], tombstone, tag, guild_tag, owner, key, '')
              end
              redis.call('ZREM', index, key)
              redis.call('SADD', wroot .. 't' .. s.suffix .. ':' .. tag, key)
              if owner ~= '' and redis.call('EXISTS', index) == 0 then
                redis.call('ZREM', wroot .. (tag == guild_tag and 'o:guild' or 'o:agent'), owner)
                listed[tag] = nil
              end
            end
            versions[v] = live[i]
          else
            versions[v] = live[i]
          end
          a = a + 7
        end

        -- Every root counts the commit; a root without a marker gets one (a new guild, or one whose data was lost
        -- before this driver knew it).
        local out = { 0, nr }
        for r = 1, nr do
          if not stores[r].epoch then
            if not now then
              local time = redis.call('TIME')
              now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            end
            stores[r].epoch = ARGV[7] .. '-' .. string.format('%.0f', now)
            redis.call('HSET', KEYS[r], 'epoch', stores[r].epoch, 'floor', stores[r].floor)
          end
          out[#out + 1] = stores[r].epoch == stores[r].seen and '' or stores[r].epoch
          out[#out + 1] = redis.call('HINCRBY', KEYS[r], 'seq', 1)
        end
        local parts = {}
        for i = 1, nw do
          out[#out + 1] = versions[i]
          parts[i] = string.format('%.0f', versions[i])
        end
        if id ~= '' then
          redis.call('SET', remember, table.concat(parts, ','), 'PX', ARGV[6])
        end
        return out
        """;
}
