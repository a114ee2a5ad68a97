namespace TypedState.Redis;

// Guild timelines: the Lua functions every timeline script shares (names, entries, the checks of a sequence, the walk
// of a fork's chain of sources), and the scripts that read a timeline.
internal static partial class RedisScripts
{
    /// <summary>
    /// What writers of entries need, and nothing more (the commit script runs it on every commit): <c>gtag</c> a
    /// guild's tag, <c>tkey(root, kind, guild_tag)</c> a timeline key (<see cref="RedisKeys.Timeline"/>), <c>fmt</c> a
    /// number, <c>pad</c> a sequence to the 16 digits of history members, <c>encode</c> an entry
    /// (<see cref="RedisTimelineEntry"/>).
    /// </summary>
    internal const string TimelineWriting = RootFunction +
        """
        local function gtag(g)
          return 'guild:' .. #g .. ':' .. g
        end
        local function tkey(root, kind, guild_tag)
          return groot(root, guild_tag) .. 'x' .. kind .. ':' .. guild_tag
        end
        local function fmt(n)
          return string.format('%.0f', n)
        end
        local function pad(s)
          return string.format('%016.0f', s)
        end
        local function encode(kind, prev, ver, commit, time, op, key, value)
          return kind .. '\n' .. fmt(prev) .. '\n' .. fmt(ver) .. '\n' .. commit .. '\n' .. fmt(time) .. '\n' .. op .. '\n' .. #key .. '\n' .. key .. value
        end

        """;

    /// <summary>
    /// The timeline functions of every other script: <see cref="TimelineWriting"/>, <c>decode</c> an entry;
    /// <c>tmeta(root, guild)</c> reads a meta (nil when the guild has no timeline);
    /// <c>describe</c> renders one as <c>{0, head, paused-at or -1, source or '', fork point, retained-from}</c>;
    /// <c>readable(root, guild, s, beyond)</c> refuses a sequence (<c>{-1}</c> no timeline, <c>{-2, head}</c> beyond
    /// it, <c>{-3, retained-from}</c> pruned here or, through a fork, in a source); <c>levels_of</c> and <c>resolve</c>
    /// walk a fork's chain as the in-memory driver's <c>GuildLog.AsOf</c> does.
    /// </summary>
    internal const string TimelineFunctions = TimelineWriting +
        """
        -- kind, previous version, version, op, key, value
        local function decode(e)
          local f, p = {}, 1
          for i = 1, 7 do
            local q = string.find(e, '\n', p, true)
            f[i] = string.sub(e, p, q - 1)
            p = q + 1
          end
          local n = tonumber(f[7])
          return f[1], tonumber(f[2]), tonumber(f[3]), f[6], string.sub(e, p, p + n - 1), string.sub(e, p + n)
        end
        local function tmeta(root, g)
          local m = redis.call('HMGET', tkey(root, '', gtag(g)), 'h', 'p', 'pg', 'fs', 'rf')
          if not m[1] then
            return nil
          end
          return { h = tonumber(m[1]), p = m[2] and tonumber(m[2]) or false, pg = m[3] or false, fs = tonumber(m[4] or 0), rf = tonumber(m[5] or 0) }
        end
        local function describe(m)
          return { 0, m.h, m.p or -1, m.pg or '', m.fs, m.rf }
        end
        local function readable(root, g, s, beyond)
          local m = tmeta(root, g)
          if not m then
            return nil, { -1 }
          end
          if beyond and s > m.h then
            return nil, { -2, m.h }
          end
          local t = m
          while true do
            if s < t.rf then
              return nil, { -3, t.rf }
            end
            if not t.pg or s > t.fs then
              return m
            end
            t = tmeta(root, t.pg)
          end
        end
        -- The timelines a read as of s walks: the guild's, then (while s is at or below a fork point) its sources'.
        local function levels_of(root, g, s)
          local levels = {}
          while g do
            local tag = gtag(g)
            local m = redis.call('HMGET', tkey(root, '', tag), 'pg', 'fs')
            local fs = tonumber(m[2] or 0)
            levels[#levels + 1] = { h = tkey(root, 'h', tag), r = tkey(root, 'r', tag), e = tkey(root, 'e', tag), s = s, own = (not m[1]) or s > fs }
            if not m[1] then
              break
            end
            s = math.min(s, fs)
            g = m[1]
          end
          return levels
        end
        -- The sequence of the latest member prefix .. pad(seq) at or below s, or 0.
        local function latest(zset, prefix, s)
          local r = redis.call('ZREVRANGEBYLEX', zset, '[' .. prefix .. pad(s), '[' .. prefix, 'LIMIT', 0, 1)
          if r[1] then
            return tonumber(string.sub(r[1], -16))
          end
          return 0
        end
        -- The level and sequence of the change a record had as of the levels' sequence, or nil (never held, or removed).
        local function resolve(levels, op, key)
          for i, l in ipairs(levels) do
            if l.own then
              local removed = 0
              if op ~= 'g' then
                removed = latest(l.r, op .. '\0', l.s)
              end
              local c = latest(l.h, op .. '\0' .. key .. '\0', l.s)
              if c > removed then
                return i, c
              end
              if removed > 0 then
                return nil
              end
            end
          end
          return nil
        end

        """;

    /// <summary>
    /// Describes, pauses or resumes a timeline. KEYS: the store marker (routing only). ARGV: root, guild id, mode
    /// (empty: describe; <c>p</c>: pause at the head unless paused; <c>r</c>: resume). Returns a description, or
    /// <c>{-1}</c> when the guild has no timeline.
    /// </summary>
    public const string TimelineState = TimelineFunctions +
        """
        local root, g, mode = ARGV[1], ARGV[2], ARGV[3]
        local m = tmeta(root, g)
        if not m then
          return { -1 }
        end
        local meta = tkey(root, '', gtag(g))
        if mode == 'p' and not m.p then
          redis.call('HSET', meta, 'p', fmt(m.h))
          m.p = m.h
        elseif mode == 'r' and m.p then
          redis.call('HDEL', meta, 'p')
          m.p = false
        end
        return describe(m)
        """;

    /// <summary>
    /// Starts a guild's timeline unless it has one: the records the guild scope and its agents hold become its first
    /// entries (sets, the guild first, then agents by id, each in key order), and marks the store as keeping
    /// timelines (field <c>tl</c> of the marker). One script: O(records of the guild). KEYS: the store marker. ARGV: root, guild id. Returns a description.
    /// </summary>
    public const string StartTimeline = SpaceFunction + NowStatement + TimelineFunctions +
        """
        local g = ARGV[2]
        local tag = gtag(g)
        local root = groot(ARGV[1], tag)
        local m = tmeta(root, g)
        if m then
          return describe(m)
        end
        local entries, history = tkey(root, 'e', tag), tkey(root, 'h', tag)
        local head = 0
        local function log_owner(otag, suffix, op)
          local base = root .. 'r' .. suffix .. ':' .. otag .. ':'
          for _, key in ipairs(redis.call('ZRANGE', root .. 'i' .. suffix .. ':' .. otag, 0, -1)) do
            local r = redis.call('HMGET', base .. key, 'v', 'n')
            if r[1] then
              head = head + 1
              redis.call('HSET', entries, fmt(head), encode('s', 0, tonumber(r[2]), '', now, op, key, r[1]))
              redis.call('ZADD', history, 0, op .. '\0' .. key .. '\0' .. pad(head))
            end
          end
        end
        local suffix, gs = space(root, tag, tag)
        log_owner(tag, suffix, 'g')

        -- Agents in code point (byte) order: Lua's '<' follows the server's locale.
        local agents = {}
        for _, member in ipairs(redis.call('SMEMBERS', root .. 'ga' .. (gs or '') .. ':' .. tag)) do
          local atag = member
          if string.sub(member, 1, 6) ~= 'agent:' then
            atag = string.sub(member, string.find(member, ':', 1, true) + 1)
          end
          local c = string.find(atag, ':', 7, true)
          local n = tonumber(string.sub(atag, 7, c - 1))
          local c2 = string.find(atag, ':', c + n + 2, true)
          agents[#agents + 1] = { id = string.sub(atag, c2 + 1), tag = atag }
        end
        table.sort(agents, function(x, y)
          local a, b = x.id, y.id
          for i = 1, math.min(#a, #b) do
            local p, q = string.byte(a, i), string.byte(b, i)
            if p ~= q then
              return p < q
            end
          end
          return #a < #b
        end)
        for _, agent in ipairs(agents) do
          log_owner(agent.tag, space(root, agent.tag, tag), 'a' .. agent.id)
        end
        redis.call('HSET', tkey(root, '', tag), 'h', head, 'fs', 0, 'rf', 0)
        -- Commits look for timelines only once the guild's root marker says one was started.
        redis.call('HSET', KEYS[1], 'tl', 1)
        return { 0, head, -1, '', 0, 0 }
        """;

    /// <summary>
    /// A page of one timeline's own entries, <c>from</c> to <c>to</c> (missing ones are nil). KEYS: the store marker
    /// (routing only). ARGV: root, guild id, from, to. Returns <c>{retained-from, entry…}</c>, or <c>{-1}</c> when
    /// the guild has no timeline any more.
    /// </summary>
    public const string EntriesPage = TimelineFunctions +
        """
        local root, g, from, to = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        local m = tmeta(root, g)
        if not m then
          return { -1 }
        end
        local fields = {}
        for s = from, to do
          fields[#fields + 1] = fmt(s)
        end
        local out = { m.rf }
        local values = redis.call('HMGET', tkey(root, 'e', gtag(g)), unpack(fields))
        for i = 1, #fields do
          out[i + 1] = values[i] or ''
        end
        return out
        """;

    /// <summary>
    /// The chain of a timeline for reading its entries after a sequence: refuses as <c>readable</c> (without the head
    /// check), then returns <c>{0, n, (guild, head, source or '', fork point) × n}</c> from the guild up its sources.
    /// KEYS: the store marker (routing only). ARGV: root, guild id, after.
    /// </summary>
    public const string EntriesChain = TimelineFunctions +
        """
        local root, g = ARGV[1], ARGV[2]
        local m, err = readable(root, g, tonumber(ARGV[3]), false)
        if not m then
          return err
        end
        local out = { 0, 0 }
        while m do
          out[2] = out[2] + 1
          out[#out + 1] = g
          out[#out + 1] = m.h
          out[#out + 1] = m.pg or ''
          out[#out + 1] = m.fs
          if not m.pg then
            break
          end
          g = m.pg
          m = tmeta(root, g)
        end
        return out
        """;

    /// <summary>
    /// One record as of a sequence. KEYS: the store marker (routing only). ARGV: root, guild id, op, key, sequence.
    /// Returns <c>{0, value, version}</c>, <c>{0}</c> when absent (or deleted) then, or a refusal of <c>readable</c>.
    /// </summary>
    public const string ReadAsOf = TimelineFunctions +
        """
        local root, g, op, key, s = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
        local m, err = readable(root, g, s, true)
        if not m then
          return err
        end
        local levels = levels_of(root, g, s)
        local i, c = resolve(levels, op, key)
        if not i then
          return { 0 }
        end
        local kind, _, ver, _, _, value = decode(redis.call('HGET', levels[i].e, fmt(c)))
        if kind ~= 's' then
          return { 0 }
        end
        return { 0, value, ver }
        """;

    /// <summary>
    /// <c>scan(root, g, s, level, min, max, limit, prev, emit)</c>: a page of the records a guild held as of a
    /// sequence, from the history of one level of its chain (1: its own, 2: its source's, …): up to <c>limit</c>
    /// history members in the lexical range, each record reported once, at the level whose change it reads (so the
    /// pages of all levels hold each record once), tombstones included. <c>prev</c> is the <c>op\0key</c> of the last
    /// member of the previous page of this level (or empty). Calls <c>emit(out, op, key, version, value, live)</c> per
    /// record (then the level's entries hash and the change's sequence, which a detach copies) and returns <c>out</c>, which starts <c>{0, levels, members scanned, last member}</c>, or a refusal of
    /// <c>readable</c>.
    /// </summary>
    private const string ScanFunction =
        """
        local function scan(root, g, s, level, min, max, limit, prev, emit)
          local m, err = readable(root, g, s, true)
          if not m then
            return err
          end
          local levels = levels_of(root, g, s)
          local out = { 0, #levels, 0, '' }
          local l = levels[level]
          if not l or not l.own then
            return out
          end
          local members = redis.call('ZRANGEBYLEX', l.h, min, max, 'LIMIT', 0, limit)
          local n = #members
          out[3], out[4] = n, members[n] or ''
          local removals = {}
          local j = 1
          while j <= n do
            -- The run of this record's members in the page (ascending sequences) and its latest change at or below l.s.
            local id = string.sub(members[j], 1, -18)
            local c, k = 0, j
            while k <= n and string.sub(members[k], 1, -18) == id do
              local seq = tonumber(string.sub(members[k], -16))
              if seq <= l.s then
                c = seq
              end
              k = k + 1
            end
            if id ~= prev and c > 0 then
              local nul = string.find(id, '\0', 1, true)
              local op, key = string.sub(id, 1, nul - 1), string.sub(id, nul + 1)
              local i
              if level == 1 and k <= n then
                -- The whole run is in the page and the guild's own history is read first: the record's change is c,
                -- unless its agent was removed later (one lookup per agent and page, not two per record).
                local removed = removals[op]
                if removed == nil then
                  removed = op ~= 'g' and latest(l.r, op .. '\0', l.s) or 0
                  removals[op] = removed
                end
                if c > removed then
                  i = 1
                end
              else
                i, c = resolve(levels, op, key)
              end
              if i == level then
                local kind, _, ver, _, _, value = decode(redis.call('HGET', l.e, fmt(c)))
                emit(out, op, key, ver, value, kind == 's', l.e, c)
              end
            end
            j = k
          end
          return out
        end

        """;

    /// <summary>
    /// A page of <c>scan</c>, returned: KEYS: the store marker (routing only). ARGV: root, guild id, sequence, level,
    /// min, max, limit, prev. Returns its <c>out</c> followed by <c>(op, key, version, value, 1 live / 0 tombstone)…</c>.
    /// </summary>
    public const string AsOfScan = TimelineFunctions + ScanFunction +
        """
        return scan(ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8], function(out, op, key, ver, value, live)
          out[#out + 1] = op
          out[#out + 1] = key
          out[#out + 1] = ver
          out[#out + 1] = value
          out[#out + 1] = live and 1 or 0
        end)
        """;
}
