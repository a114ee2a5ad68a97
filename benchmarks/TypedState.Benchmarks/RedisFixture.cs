using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Benchmarks;

/// <summary>
/// TypedState's Redis store and a hand-written StackExchange.Redis store on the same server, each with its own
/// multiplexer (same configuration: the driver's string with <c>abortConnect=false</c>) and its own key prefix.
/// The raw side runs hand-written commands on the driver's key names (RedisKeys.cs): for a set, the driver's commit
/// script as it was in storage layout 1 (<see cref="RedisCommit"/>, a compare-and-set of the record, its index and
/// owner sets in one script) through <c>ScriptEvaluateAsync</c>; for a get, <c>HMGET record v n</c>.
/// Both sides block on the returned task, as the interleaved runner is synchronous.
/// </summary>
public sealed class RedisFixture : IAsyncDisposable
{
    public const string TypedPrefix = "ts";
    public const string RawPrefix = "rw";

    private static readonly RedisValue[] s_recordFields = ["v", "n"];
    private readonly Profile _value = Sample.Create();
    private readonly ConnectionMultiplexer _raw;
    private readonly IDatabase _rawDb;
    private readonly RedisKey[] _rawSetKeys;
    private readonly RedisKey _rawRecord;
    private readonly RedisValue _ownerTag;
    private readonly RedisValue _ownerMember;

    public RedisFixture(string configuration)
    {
        Manager = new RedisStateManager(new RedisStateDriverOptions { Configuration = configuration, KeyPrefix = TypedPrefix });
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        _raw = ConnectionMultiplexer.Connect(options);
        _rawDb = _raw.GetDatabase();

        // RedisKeys: <root>r:<owner>:<key>, <root>i:<owner>, <root>t:<owner>, <root>o:agent (owner set, members
        // guild NUL agent), <root>ga:guild:<n>:<guild>, where <root> is the guild's root {prefix|guild:<n>:<guild>}:.
        var tag = $"agent:{Sample.GuildId.Length}:{Sample.GuildId}:{Sample.AgentId.Length}:{Sample.AgentId}";
        _ownerTag = tag;
        _ownerMember = Sample.GuildId + "\0" + Sample.AgentId;
        var owner = StateOwner.Agent(Sample.GuildId, Sample.AgentId);
        var root = new RedisKeys(RawPrefix).RootOf(owner);
        _rawRecord = root + "r:" + tag + ":" + Sample.Key;
        _rawSetKeys = [_rawRecord, root + "i:" + tag, root + "t:" + tag, root + "o:agent", root + "ga:guild:" + Sample.GuildId.Length + ":" + Sample.GuildId];

        if (RawSet() != 1 || TypedStateSet() != 1 || RawSet() != 2 || TypedStateSet() != 2)
        {
            throw new InvalidOperationException("The raw and TypedState Redis sets disagree on versions.");
        }

        var expected = JsonSerializer.Serialize(_value, Sample.TypeInfo);
        if (JsonSerializer.Serialize(RawGet()!, Sample.TypeInfo) != expected || JsonSerializer.Serialize(TypedStateGet()!, Sample.TypeInfo) != expected)
        {
            throw new InvalidOperationException("The raw and TypedState Redis reads disagree.");
        }

        // Same key names apart from the prefix: the driver's record must be where the raw side expects it.
        var typedRecord = new RedisKeys(TypedPrefix).Record(owner, Sample.Key);
        if (_rawDb.HashGet(typedRecord, "n") != 2L)
        {
            throw new InvalidOperationException("The driver's record name differs from the raw side's.");
        }
    }

    public RedisStateManager Manager { get; }

    /// <summary>Raw: serialize, then the driver's commit script for one unconditional set of an agent owner's key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long RawSet()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return RawSetAsync(bytes).GetAwaiter().GetResult();
    }

    private async Task<long> RawSetAsync(byte[] bytes)
    {
        RedisValue[] args = [0, 1, "s", RedisValue.EmptyString, bytes, Sample.Key, _ownerTag, _ownerMember];
        var reply = (RedisResult[])(await _rawDb.ScriptEvaluateAsync(RedisCommit, _rawSetKeys, args))!;
        return (long)reply[0] == 0 ? (long)reply[1] : throw new InvalidOperationException("conflict");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TypedStateSet() => Manager.SetAsync(Sample.Owner, Sample.Key, _value, Sample.TypeInfo).Wait();

    /// <summary>Raw: HMGET record v n, then deserialize.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawGet() => RawGetAsync().GetAwaiter().GetResult();

    private async Task<Profile?> RawGetAsync()
    {
        var fields = await _rawDb.HashGetAsync(_rawRecord, s_recordFields);
        return fields[0].IsNull ? null : JsonSerializer.Deserialize((byte[])fields[0]!, Sample.TypeInfo);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? TypedStateGet() => Manager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    /// <summary>Breakdown: the driver's CommitAsync alone (serialization as on the raw side, no manager).</summary>
    public long DriverSet()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return Manager.Driver.CommitAsync([new Storage.StateWrite(Sample.Owner, Sample.Key, Storage.StateWriteKind.Set, bytes, null)], s_noFences, Storage.CommitId.None, CancellationToken.None).Wait().Versions[0];
    }

    /// <summary>Breakdown: the driver's ReadAsync alone, then the same deserialization.</summary>
    public Profile? DriverGet()
    {
        var record = Manager.Driver.ReadAsync(Sample.Owner, Sample.Key, CancellationToken.None).Wait();
        return record is { } found ? JsonSerializer.Deserialize(found.Value.Span, Sample.TypeInfo) : null;
    }

    private static readonly Storage.StateFence[] s_noFences = [];

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        await _raw.DisposeAsync();
    }

    /// <summary>
    /// The raw side's compare-and-set: the driver's commit script of storage layout 1 (before commit ids, the epoch
    /// check and owner key spaces), copied as it was, so the raw baseline stays the same hand-written command while the
    /// driver changes and a before/after comparison measures what the driver's script added. Its KEYS: the record,
    /// the index, the tombstones, the owner set, the guild's agent set; ARGV: fence count, write count, then per write
    /// kind, expected version, value, key, agent tag, owner member.
    /// </summary>
    public const string RedisCommit =
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
}
