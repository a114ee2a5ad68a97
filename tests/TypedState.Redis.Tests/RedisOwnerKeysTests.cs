using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// The driver's cache of owners' key names: whatever owners share a slot of the cache, the names it gives are the
/// names of <see cref="RedisKeys"/> for the owner asked about, and a record name built from a cached prefix is the
/// same key as the joined string.
/// </summary>
public sealed class RedisOwnerKeysTests
{
    [Fact]
    public void Cached_names_are_the_owners_own_names_however_many_owners_share_the_slots()
    {
        var keys = new RedisKeys("app");
        var cache = new RedisOwnerKeysCache(keys);
        string[] ids = ["g", "日本", "{a}", "a:b", string.Empty];
        var owners = Enumerable.Range(0, 600)
            .Select(i => (i % 3) switch
            {
                0 => StateOwner.Agent($"guild-{i % 7}{ids[i % ids.Length]}", $"agent-{i}"),
                1 => StateOwner.Guild($"guild-{i}{ids[i % ids.Length]}"),
                _ => StateOwner.Global,
            })
            .ToList();

        // Twice round, so that owners evicted by others sharing their slot are built again.
        foreach (var owner in owners.Concat(owners))
        {
            var cached = cache.For(owner);
            var tag = RedisKeys.OwnerTag(owner);

            Assert.Equal(owner, cached.Owner);
            Assert.Equal(tag, (string?)cached.Tag);
            Assert.Equal(owner.Scope == Scope.Global ? string.Empty : RedisKeys.GuildTag(owner.GuildIdOrEmpty), (string?)cached.GuildTag);
            Assert.Equal(RedisKeys.OwnerMember(owner), (string?)cached.Member);
            Assert.Equal(keys.RecordBase(owner), cached.RecordBase);
            Assert.Equal((RedisKey)keys.Index(owner), cached.Index);
            Assert.Equal((RedisKey)keys.LockTokens(owner), cached.LockTokens);
            Assert.Equal((RedisKey)keys.HeldLocks(owner), cached.HeldLocks);
            Assert.Equal(keys.RootOf(owner), cached.Root);
            Assert.Equal((RedisKey)(keys.RootOf(owner) + "e"), cached.Marker);
            foreach (var key in new[] { "k", "日本/🙂", "a:b{c}", " " })
            {
                var record = cached.Record(key);
                Assert.Equal((RedisKey)keys.Record(owner, key), record);
                Assert.Equal(keys.Record(owner, key), (string?)record);
            }
        }

        Assert.Same(cache.For(owners[^1]), cache.For(owners[^1]));
    }
}
