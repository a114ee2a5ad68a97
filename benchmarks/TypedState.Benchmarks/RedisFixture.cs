using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Benchmarks;

/// <summary>
/// TypedState's Redis store and a hand-written StackExchange.Redis store on the same server, each with its own
/// multiplexer (same configuration: the driver's string with <c>abortConnect=false</c>) and its own key prefix.
/// The raw side runs the driver's exact commands: the commit script text of
/// src/Runtime/TypedState.Redis/RedisScripts.cs (copied below) through <c>ScriptEvaluateAsync</c> with the same
/// KEYS and ARGV layout for a set, and <c>HMGET record v n</c> for a get, on the same key names (RedisKeys.cs).
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

        // RedisKeys: {prefix}:r:<owner>:<key>, {prefix}:i:<owner>, {prefix}:t:<owner>, {prefix}:o:agent (owner set,
        // members guild NUL agent), {prefix}:ga:guild:<n>:<guild>.
        var tag = $"agent:{Sample.GuildId.Length}:{Sample.GuildId}:{Sample.AgentId.Length}:{Sample.AgentId}";
        _ownerTag = tag;
        _ownerMember = Sample.GuildId + "\0" + Sample.AgentId;
        var root = "{" + RawPrefix + "}:";
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
        var typedRecord = "{" + TypedPrefix + "}:r:" + tag + ":" + Sample.Key;
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

    /// <summary>The driver's own commit script, so both sides send exactly the same command.</summary>
    public const string RedisCommit = TypedState.Redis.RedisScripts.Commit;
}
