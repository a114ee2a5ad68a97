namespace TypedState.Redis;

/// <summary>
/// Every Lua script the driver runs, one per kind of operation, each atomic on the server. They are sent with
/// <c>ScriptEvaluateAsync(string, …)</c>, which StackExchange.Redis turns into <c>EVALSHA</c> once the script is
/// loaded on a server (loading it again after a restart or <c>SCRIPT FLUSH</c>), so a script's text crosses the
/// wire once per connection. Names follow <see cref="RedisKeys"/>; KEYS[1] is always a key under the root of the guild the script is
/// about (for routing: every name of one guild shares its hash slot), and scripts build the names they touch from
/// that root (<c>groot</c>), since an owner's names depend on its key space, which only the server knows at the
/// instant the script runs.
/// </summary>
/// <remarks>
/// Lua numbers are doubles: integers are exact below 2^53 (versions and tokens stay far below: the server clock in
/// microseconds is about 1.8e15). <c>redis.call</c> sends a number argument exactly, but Lua's own
/// <c>tostring</c> and <c>..</c> print only 14 digits, so large numbers are formatted with <c>%.0f</c>.
/// One file per kind of operation: Commit, Reads, Removal, Locks, Store.
/// </remarks>
internal static partial class RedisScripts
{
    /// <summary>
    /// <c>groot(root, guild_tag)</c>: the root of a guild's names, <c>{prefix|guild tag}:</c> with <c>%</c> and
    /// <c>}</c> of the tag escaped (<see cref="RedisKeys.RootOf"/>), or the store root <c>{prefix}:</c> for an empty
    /// tag (global state). <c>root</c> may be any root of the prefix: the prefix is read back from it. Each root is
    /// built once per script run (every root a script sees shares the driver's prefix): building strings is what a
    /// script spends most of its own time on.
    /// </summary>
    private const string RootFunction =
        """
        local groots = {}
        local function groot(root, guild_tag)
          local r = groots[guild_tag]
          if not r then
            local p = string.match(root, '^{([^|}]*)')
            if guild_tag == '' then
              r = '{' .. p .. '}:'
            else
              r = '{' .. p .. '|' .. (string.gsub(guild_tag, '[%%}]', { ['%'] = '%25', ['}'] = '%7D' })) .. '}:'
            end
            groots[guild_tag] = r
          end
          return r
        end

        """;

    /// <summary>
    /// <c>space(root, tag, guild_tag)</c>: an owner's key space, as the suffix its names carry after the type letter,
    /// with the guild's space, the agent's space and the guild's version floor. The suffix is empty until the owner
    /// (or, for an agent, its guild) is first removed; a removal draws a new space id, so the owner's later records
    /// live under new names while the old ones are deleted in steps. A guild's suffix is its space id; an agent's is
    /// <c>&lt;guild space&gt;.&lt;agent space&gt;</c> (0 for one never drawn). <c>guild_tag</c> is empty for global state.
    /// Metas are never deleted, so an agent for which neither its guild's meta nor its own exists (one <c>EXISTS</c>)
    /// is in its first key space, under a floor of 0.
    /// </summary>
    private const string SpaceFunction = RootFunction +
        """
        local function space(root, tag, guild_tag)
          if guild_tag == '' then
            return '', false, false, 0
          end
          root = groot(root, guild_tag)
          -- An agent whose guild and itself were never removed (the common case) has no metas: one call tells.
          if tag ~= guild_tag and redis.call('EXISTS', root .. 'm:' .. guild_tag, root .. 'm:' .. tag) == 0 then
            return '', false, false, 0
          end
          local guild = redis.call('HMGET', root .. 'm:' .. guild_tag, 's', 'f')
          local gs, floor = guild[1], tonumber(guild[2] or 0)
          if tag == guild_tag then
            return gs or '', gs, false, floor
          end
          local as = redis.call('HGET', root .. 'm:' .. tag, 's')
          if not gs and not as then
            return '', false, false, floor
          end
          return (gs or '0') .. '.' .. (as or '0'), gs, as, floor
        end

        """;

    /// <summary>The server clock in microseconds, as <c>now</c> (exact: about 1.8e15, below 2^53).</summary>
    private const string NowStatement =
        """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

        """;
}
