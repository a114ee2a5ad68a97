using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TypedState.Redis;

// The connection: opened on first use when the driver owns it, retried after a failed attempt, closed on disposal.
public sealed partial class RedisStateDriver
{
    /// <summary>Closes the connection when the driver opened it; a connection passed in is left open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_ownsConnection)
        {
            return;
        }

        Task<IConnectionMultiplexer>? connection;
        lock (_connectGate)
        {
            connection = _connection;
            _connection = null;
        }

        if (connection is null)
        {
            return;
        }

        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await connection.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ArgumentException)
        {
            // It never connected; there is nothing to close.
            return;
        }

        await multiplexer.DisposeAsync().ConfigureAwait(false);
    }

    private ValueTask<IDatabase> DatabaseAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = _connection;
        if (connection is null || connection.IsFaulted || connection.IsCanceled)
        {
            connection = Connect();
        }

        return connection.IsCompletedSuccessfully
            ? new ValueTask<IDatabase>(connection.Result.GetDatabase())
            : AwaitDatabaseAsync(connection);

        static async ValueTask<IDatabase> AwaitDatabaseAsync(Task<IConnectionMultiplexer> pending) =>
            (await pending.ConfigureAwait(false)).GetDatabase();
    }

    /// <summary>Starts connecting once; a failed attempt is replaced by a new one on the next operation.</summary>
    private Task<IConnectionMultiplexer> Connect()
    {
        lock (_connectGate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_connection is { IsFaulted: false, IsCanceled: false } current)
            {
                return current;
            }

            var configuration = _configuration!.Clone();
            LogConnecting(_serverDescription!, KeyPrefix);
            _connection = ConnectAsync(configuration);
            return _connection;
        }

        static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
            await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Connecting to Redis at {Configuration} for key prefix '{KeyPrefix}'")]
    private partial void LogConnecting(string configuration, string keyPrefix);
}
