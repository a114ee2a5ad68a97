using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// What the throw-away servers on 127.0.0.1 share: a free port, and when a redis-server just started is ready.
/// The benchmarks compile this file too (linked in their project), so their servers start the way the tests' do.
/// </summary>
internal static class LocalServer
{
    /// <summary>A TCP port free on 127.0.0.1 at the time of the call.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Waits until the redis-server on <paramref name="port"/> answers PING with PONG (while it replays its append-only
    /// file it answers -LOADING). False when <paramref name="process"/> exits or <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<bool> WaitForRedisAsync(int port, Process process, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync(port))
        {
            if (process.HasExited || deadline.Elapsed > timeout)
            {
                return false;
            }

            // A refused connection fails at once: pause between probes rather than spin a core.
            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>Whether the redis-server on <paramref name="port"/> answers PING with PONG now.</summary>
    public static async Task<bool> AnswersPingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            // A loaded machine: the server is up but slow to answer; the caller polls again.
            return false;
        }
    }
}
