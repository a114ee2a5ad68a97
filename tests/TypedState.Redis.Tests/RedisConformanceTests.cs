using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis;

/// <summary>
/// The conformance suite against the Redis driver: one redis-server for the whole run (see
/// <see cref="RedisTestServer"/>), and a fresh key prefix per driver, so every driver starts with an empty store.
/// </summary>
public sealed class RedisConformanceTests : StateStoreConformanceTests
{
    private readonly List<string> _prefixes = [];

    protected override ValueTask<IStateDriver> CreateDriverAsync() => CreateAsync(listPageSize: null);

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) => CreateAsync(listPageSize);

    private async ValueTask<IStateDriver> CreateAsync(int? listPageSize)
    {
        var server = await RedisTestServer.GetSharedAsync();
        var prefix = RedisTestServer.NewKeyPrefix("conformance");
        _prefixes.Add(prefix);
        var options = new RedisStateDriverOptions { Connection = server.Connection, KeyPrefix = prefix };
        if (listPageSize is { } pageSize)
        {
            options.ListPageSize = pageSize;
        }

        return new RedisStateDriver(options);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await (await RedisTestServer.GetSharedAsync()).DeletePrefixesAsync(_prefixes);
    }
}
