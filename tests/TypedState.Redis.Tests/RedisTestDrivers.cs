using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// Drivers on the run's shared Redis server (<see cref="RedisTestServer"/>), each under a fresh key prefix, so every
/// driver starts with an empty store. Disposing disposes what it created and deletes the keys of every prefix it gave.
/// </summary>
internal sealed class RedisTestDrivers : IAsyncDisposable
{
    private readonly string _purpose;
    private readonly List<string> _prefixes = [];
    private readonly List<IAsyncDisposable> _created = [];

    private RedisTestDrivers(RedisTestServer server, string purpose)
    {
        Server = server;
        _purpose = purpose;
    }

    /// <summary>The shared server.</summary>
    public RedisTestServer Server { get; }

    /// <summary>Drivers for one test; <paramref name="purpose"/> shows in their key prefixes.</summary>
    public static async Task<RedisTestDrivers> StartAsync(string purpose) => new(await RedisTestServer.GetSharedAsync(), purpose);

    /// <summary>A key prefix no other test uses, its keys deleted at dispose.</summary>
    public string NewPrefix()
    {
        var prefix = RedisTestServer.NewKeyPrefix(_purpose);
        _prefixes.Add(prefix);
        return prefix;
    }

    /// <summary>Options for a driver on the server's shared connection under a new prefix.</summary>
    public RedisStateDriverOptions NewOptions(int? listPageSize = null)
    {
        var options = new RedisStateDriverOptions { Connection = Server.Connection, KeyPrefix = NewPrefix() };
        if (listPageSize is { } pageSize)
        {
            options.ListPageSize = pageSize;
        }

        return options;
    }

    /// <summary>A driver under a new prefix, disposed at dispose.</summary>
    public RedisStateDriver CreateDriver(int? listPageSize = null)
    {
        var driver = new RedisStateDriver(NewOptions(listPageSize));
        _created.Add(driver);
        return driver;
    }

    /// <summary>A manager owning a new driver under a new prefix, disposed at dispose.</summary>
    public StateManager CreateManager(int? listPageSize = null)
    {
        var state = new StateManager(new RedisStateDriver(NewOptions(listPageSize)), ownsDriver: true);
        _created.Add(state);
        return state;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var created in _created)
        {
            await created.DisposeAsync();
        }

        await Server.DeletePrefixesAsync(_prefixes);
    }
}
