using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TypedState.Redis;

// The connection: opened on first use when the driver owns it, retried after a failed attempt, closed on disposal;
// prepared (memory policy, store marker) before its first operation and again after it is restored.
public sealed partial class RedisStateDriver
{
    private readonly Lock _prepareGate = new();
    private Task? _prepared;
    private IConnectionMultiplexer? _watched;

    /// <summary>Closes the connection when the driver opened it; a connection passed in is left open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (await StopAsync(synchronously: false).ConfigureAwait(false) is { } multiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="DisposeAsync"/>, synchronously, so a service provider disposed with <c>using</c> can dispose the
    /// driver; a connection still being opened is waited for first.
    /// </summary>
    public void Dispose()
    {
        var stopping = StopAsync(synchronously: true);
        Debug.Assert(stopping.IsCompleted, "A synchronous stop completes before it returns.");
        stopping.GetAwaiter().GetResult()?.Dispose();
    }

    /// <summary>
    /// Marks the driver disposed and detaches it from its connection; returns the connection to close (null when
    /// the driver does not own it or it never opened). <paramref name="synchronously"/> blocks on a connection still
    /// being opened instead of awaiting it.
    /// </summary>
    private async ValueTask<IConnectionMultiplexer?> StopAsync(bool synchronously)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return null;
        }

        lock (_prepareGate)
        {
            if (_watched is { } watched)
            {
                watched.ConnectionRestored -= OnConnectionRestored;
                _watched = null;
            }
        }

        if (!_ownsConnection)
        {
            return null;
        }

        Task<IConnectionMultiplexer>? connection;
        lock (_connectGate)
        {
            connection = _connection;
            _connection = null;
        }

        if (connection is null)
        {
            return null;
        }

        try
        {
            return synchronously ? connection.GetAwaiter().GetResult() : await connection.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ArgumentException)
        {
            // It never connected; there is nothing to close.
            return null;
        }
    }

    /// <summary>
    /// Opens the connection and prepares the store (its memory policy checked, its marker written) now rather than on
    /// the first operation, so a server that cannot hold state durably is reported at start-up.
    /// </summary>
    public async ValueTask EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await DatabaseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The database, once the connection is open and prepared (see <see cref="PrepareAsync"/>); the wait, not the
    /// shared connection attempt, ends when <paramref name="cancellationToken"/> fires.
    /// </summary>
    private ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = _connection;
        if (connection is null || connection.IsFaulted || connection.IsCanceled)
        {
            connection = Connect();
        }

        return connection.IsCompletedSuccessfully && Volatile.Read(ref _prepared) is { IsCompletedSuccessfully: true }
            ? new ValueTask<IDatabase>(connection.Result.GetDatabase())
            : AwaitDatabaseAsync(connection, cancellationToken);
    }

    private async ValueTask<IDatabase> AwaitDatabaseAsync(Task<IConnectionMultiplexer> pending, CancellationToken cancellationToken)
    {
        var connection = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        await Prepared(connection).WaitAsync(cancellationToken).ConfigureAwait(false);
        return connection.GetDatabase();
    }

    /// <summary>The preparation of the connection: started once, and again after a failure or a restored connection.</summary>
    private Task Prepared(IConnectionMultiplexer connection)
    {
        lock (_prepareGate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_prepared is { IsFaulted: false, IsCanceled: false } current)
            {
                return current;
            }

            if (_watched is null)
            {
                // A restored connection may lead to another server (a restart, a failover) with another memory policy.
                connection.ConnectionRestored += OnConnectionRestored;
                _watched = connection;
            }

            return _prepared = PrepareAsync(connection);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        lock (_prepareGate)
        {
            if (_prepared is { IsCompleted: true })
            {
                _prepared = null;
            }
        }
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

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Connecting to Redis at {Configuration} for key prefix '{KeyPrefix}'")]
    private partial void LogConnecting(string configuration, string keyPrefix);
}
