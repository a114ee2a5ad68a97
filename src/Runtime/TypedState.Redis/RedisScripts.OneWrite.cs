namespace TypedState.Redis;

// The commit of one set, delete or check: the general commit's rules for that case, with names passed in, not built.
internal static partial class RedisScripts
{
    /// <summary><see cref="CommitOne"/>'s answer (first entry) for a conflict: <c>{-1, live version}</c>.</summary>
    public const long CommitOneConflict = -1;

    /// <summary><see cref="CommitOne"/>'s answer for a root whose data the server lost: <c>{-3, the root's epoch}</c>.</summary>
    public const long CommitOneDataLost = -3;

    /// <summary><see cref="CommitOne"/>'s answer for a batch only the general <see cref="Commit"/> applies: <c>{-5}</c>.</summary>
    public const long CommitOneDeclined = -5;

    /// <summary>How many ARGV entries <see cref="CommitOne"/> takes.</summary>
    public const int CommitOneArgs = 17;

    /// <summary>
    /// A batch of one set (<c>s</c>), delete (<c>d</c>) or check (<c>c</c>), with no fence: what <see cref="Commit"/>
    /// does for it, in the same order and with the same answers, but with every name the client knows passed in
    /// (<see cref="RedisOwnerKeys.OneWriteKeys"/>), so the script builds two strings (the commit id's name and the
    /// record's) and no table beyond its answer. It declines, before writing anything, what only the general script
    /// does: an owner in a key space drawn by a removal (its names are the server's to build) and a guild with a
    /// timeline (entries to log, or a pause to refuse); it answers <c>{-5}</c> and the driver sends the batch to
    /// <see cref="Commit"/>, which starts over (a remembered commit id is answered here already).
    /// KEYS: the root marker, the guild's meta, the agent's meta, the owner's index, its tombstones, its scope's owner
    /// set, its guild's agent set, its guild's timeline meta (for an owner without a guild, or a guild owner, the ones
    /// it has not repeat the marker and are not touched). ARGV: the start of the commit id's name
    /// (<c>&lt;root&gt;c:</c>; empty for no commit id), the commit id as four 32-bit numbers in its text's order (a
    /// number needs no array on the client; the script writes the general script's name, 32 lowercase hexadecimal
    /// digits), its retention in milliseconds, the driver's id, the epoch the driver saw (empty for none), the highest
    /// commit sequence it saw, the kind, the expected version (empty for any), the value, the key, the owner's record
    /// names up to the key,
    /// <c>a</c> / <c>g</c> / empty (agent, guild, global owner), the owner's member in its owner set (empty for
    /// global), the owner tag (an agent's member in its guild's agent set).
    /// Returns, as <see cref="Commit"/> would but in fewer entries (each entry is an object on the client):
    /// <c>{version, commit sequence}</c> when the root's epoch is the one the driver sent, <c>{version, commit
    /// sequence, epoch}</c> when it is not, <c>{version}</c> for a remembered commit id; or <c>{-1, live version}</c>,
    /// <c>{-3, the root's epoch}</c>, <c>{-5}</c> (versions are never negative).
    /// </summary>
    public const string CommitOne =
        """
        local remember = ARGV[1]
        if remember ~= '' then
          remember = string.format('%s%08x%08x%08x%08x', remember, ARGV[2], ARGV[3], ARGV[4], ARGV[5])
          local remembered = redis.call('GET', remember)
          if remembered then
            return { tonumber(remembered) }
          end
        end

        local store = redis.call('HMGET', KEYS[1], 'epoch', 'floor', 'seq', 'tl')
        local seen = ARGV[8]
        if seen ~= '' and (store[1] ~= seen or tonumber(store[3] or 0) < tonumber(ARGV[9])) then
          return { -3, store[1] or '' }
        end
        local epoch_floor = tonumber(store[2] or 0)

        -- The key space: the first one (no meta) unless the owner or its guild was removed; the guild's version floor.
        local scope = ARGV[15]
        local floor = 0
        if scope == 'g' or (scope == 'a' and redis.call('EXISTS', KEYS[2], KEYS[3]) > 0) then
          local guild = redis.call('HMGET', KEYS[2], 's', 'f')
          if guild[1] or (scope == 'a' and redis.call('HEXISTS', KEYS[3], 's') == 1) then
            return { -5 }
          end
          floor = tonumber(guild[2] or 0)
        end
        if scope ~= '' and store[4] and redis.call('HEXISTS', KEYS[8], 'h') == 1 then
          return { -5 }
        end

        local kind, key = ARGV[10], ARGV[13]
        local record = ARGV[14] .. key
        -- The version and liveness in one read: a tombstone keeps its version ('n') without a value ('v').
        local nv = redis.call('HMGET', record, 'n', 'v')
        local n = tonumber(nv[1] or 0)
        local live = (n > 0 and nv[2]) and n or 0
        if ARGV[11] ~= '' and tonumber(ARGV[11]) ~= live then
          return { -1, live }
        end

        local version = live
        local member = ARGV[16]
        if kind == 's' then
          local base = n
          if base == 0 then
            base = floor
          end
          version = math.max(base, epoch_floor) + 1
          redis.call('HSET', record, 'v', ARGV[12], 'n', version)
          if live == 0 then
            redis.call('ZADD', KEYS[4], 0, key)
            if n > 0 then
              redis.call('SREM', KEYS[5], key)
            end
          end
          if scope ~= '' then
            redis.call('ZADD', KEYS[6], 0, member)
            if scope == 'a' and n == 0 then
              redis.call('SADD', KEYS[7], ARGV[17])
            end
          end
        elseif kind == 'd' and live > 0 then
          redis.call('HDEL', record, 'v')
          redis.call('HSET', record, 'n', math.max(live, epoch_floor) + 1)
          redis.call('ZREM', KEYS[4], key)
          redis.call('SADD', KEYS[5], key)
          if scope ~= '' and redis.call('EXISTS', KEYS[4]) == 0 then
            redis.call('ZREM', KEYS[6], member)
          end
        end

        local epoch = store[1]
        if not epoch then
          local time = redis.call('TIME')
          epoch = ARGV[7] .. '-' .. string.format('%.0f', tonumber(time[1]) * 1000000 + tonumber(time[2]))
          redis.call('HSET', KEYS[1], 'epoch', epoch, 'floor', epoch_floor)
        end
        local sequence = redis.call('HINCRBY', KEYS[1], 'seq', 1)
        if remember ~= '' then
          redis.call('SET', remember, string.format('%.0f', version), 'PX', ARGV[6])
        end
        if epoch == seen then
          return { version, sequence }
        end
        return { version, sequence, epoch }
        """;
}
