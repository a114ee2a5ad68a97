using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis;

/// <summary>
/// Applied commit ids are remembered by the server itself, one key each with the retention as its time to live, so
/// they expire without any scan and their number is bounded by commits per second times the retention.
/// </summary>
public sealed class RedisCommitIdTests : IAsyncLifetime
{
    private readonly List<string> _prefixes = [];
    private RedisTestServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisTestServer.GetSharedAsync();

    public Task DisposeAsync() => _server.DeletePrefixesAsync(_prefixes);

    [Fact]
    public async Task An_applied_commit_id_is_kept_for_the_retention_and_a_refused_or_anonymous_batch_keeps_nothing()
    {
        var prefix = RedisTestServer.NewKeyPrefix("commit-ids");
        _prefixes.Add(prefix);
        await using var driver = new RedisStateDriver(new RedisStateDriverOptions
        {
            Connection = _server.Connection,
            KeyPrefix = prefix,
            CommitIdRetention = TimeSpan.FromSeconds(90),
        });
        var database = _server.Connection.GetDatabase();
        var owner = StateOwner.Agent("g", "a");
        StateWrite Set(long? expected) => new(owner, "k", StateWriteKind.Set, "1"u8.ToArray(), expected);
        CommitId applied = CommitId.New(), refused = CommitId.New();

        await driver.CommitAsync([Set(null)], [], applied, CancellationToken.None);
        await driver.CommitAsync([Set(0)], [], refused, CancellationToken.None);
        await driver.CommitAsync([Set(null)], [], CommitId.None, CancellationToken.None);

        var root = new RedisKeys(prefix).RootOf(owner);
        var remembered = $"{root}c:{applied}";
        var ttl = await database.KeyTimeToLiveAsync(remembered);
        Assert.Equal("1", (string?)await database.StringGetAsync(remembered));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(90));
        Assert.False(await database.KeyExistsAsync($"{root}c:{refused}"));
        Assert.Single(await CommitIdKeysAsync(prefix));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(8 * 24 * 3600)]
    public void A_retention_below_a_second_or_above_seven_days_is_rejected(double seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStateDriver(new RedisStateDriverOptions
        {
            Configuration = "127.0.0.1:1",
            CommitIdRetention = TimeSpan.FromSeconds(seconds),
        }));

        Assert.Equal(nameof(RedisStateDriverOptions.CommitIdRetention), error.ParamName);
    }

    private async Task<List<string>> CommitIdKeysAsync(string prefix)
    {
        var keys = new List<string>();
        foreach (var server in _server.Connection.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: $"{{{prefix}[|}}]*:c:*"))
            {
                keys.Add(key!);
            }
        }

        return keys;
    }
}
