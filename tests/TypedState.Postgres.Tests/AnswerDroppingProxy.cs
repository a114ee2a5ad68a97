using System.Net;
using System.Net.Sockets;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A TCP proxy between the driver and the test server that loses one answer on purpose: once
/// <see cref="DropAnswerAfterRequestWith"/> is armed, the first connection whose request carries the marker bytes
/// has everything forwarded until the server's reply ends a transaction (a ReadyForQuery message with status idle,
/// sent after the commit is durable); that reply is not forwarded and both sides are closed. The server has then
/// committed, and the client sees its connection break while waiting for the answer.
/// </summary>
internal sealed class AnswerDroppingProxy : IAsyncDisposable
{
    /// <summary>ReadyForQuery ('Z', length 5) with transaction status 'I': the server is idle, the transaction ended.</summary>
    private static readonly byte[] s_readyIdle = [(byte)'Z', 0, 0, 0, 5, (byte)'I'];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private byte[]? _marker;
    private int _disposed;
    private TaskCompletionSource _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AnswerDroppingProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.TryParse(host, out var address) ? address : Dns.GetHostAddresses(host)[0], port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The port the proxy listens on, on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Arms the proxy for one drop: the next request holding <paramref name="marker"/> (for example a unique value the
    /// commit writes) gets its committing answer lost. Returns a task that completes when the answer was dropped.
    /// </summary>
    public Task DropAnswerAfterRequestWith(byte[] marker)
    {
        lock (_gate)
        {
            _marker = marker;
            _dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _dropped.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (client)
        {
            try
            {
                await server.ConnectAsync(_target, stop.Token);
                var armed = new ConnectionState();
                var upstream = PumpRequestsAsync(client.GetStream(), server.GetStream(), armed, stop.Token);
                var downstream = PumpAnswersAsync(server.GetStream(), client.GetStream(), armed, stop.Token);
                await Task.WhenAny(upstream, downstream);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side went away: the connection ends.
            }
            finally
            {
                await stop.CancelAsync();
            }
        }
    }

    private async Task PumpRequestsAsync(NetworkStream from, NetworkStream to, ConnectionState state, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var recent = new List<byte>();
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            byte[]? marker;
            lock (_gate)
            {
                marker = _marker;
            }

            if (marker is not null && !state.Armed)
            {
                // Keep the tail of the previous reads, so a marker split across two reads is still found.
                recent.AddRange(buffer.AsSpan(0, read));
                if (recent.ToArray().AsSpan().IndexOf(marker) >= 0)
                {
                    lock (_gate)
                    {
                        if (ReferenceEquals(_marker, marker))
                        {
                            _marker = null;
                            state.Armed = true;
                        }
                    }
                }

                if (recent.Count > marker.Length)
                {
                    recent.RemoveRange(0, recent.Count - marker.Length);
                }
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private async Task PumpAnswersAsync(NetworkStream from, NetworkStream to, ConnectionState state, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var tail = new List<byte>();
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            if (state.Armed)
            {
                tail.AddRange(buffer.AsSpan(0, read));
                if (tail.Count > s_readyIdle.Length)
                {
                    tail.RemoveRange(0, tail.Count - s_readyIdle.Length);
                }

                if (tail.ToArray().AsSpan().SequenceEqual(s_readyIdle))
                {
                    // The transaction ended on the server: lose this answer and the connection with it.
                    lock (_gate)
                    {
                        _dropped.TrySetResult();
                    }

                    return;
                }
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private sealed class ConnectionState
    {
        public volatile bool Armed;
    }
}
