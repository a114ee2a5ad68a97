namespace TypedState.Redis;

/// <summary>The scripts of the hot paths, sent by SHA1 (<see cref="RedisPreparedScript"/>).</summary>
internal static class RedisHotScripts
{
    public static readonly RedisPreparedScript Commit = new(RedisScripts.Commit);

    public static readonly RedisPreparedScript CommitOne = new(RedisScripts.CommitOne);

    public static readonly RedisPreparedScript AcquireLock = new(RedisScripts.AcquireLock);

    public static readonly RedisPreparedScript ReleaseLock = new(RedisScripts.ReleaseLock);

    public static readonly RedisPreparedScript ListPage = new(RedisScripts.ListPage);
}
