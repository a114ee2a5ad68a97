using System.Diagnostics;
using System.Globalization;

namespace TypedState.Tests.Fixtures;

// Freezing and resuming a dedicated server with signals, for tests of what clients see while it stalls.
public sealed partial class RedisTestServer
{
    /// <summary>
    /// Freezes the server with SIGSTOP, as a stalled machine or a long pause would: connections stay open and requests
    /// pile up unanswered in the socket buffers. Returns once the kernel reports the process stopped.
    /// </summary>
    public Task FreezeAsync() => SignalAsync("STOP", stopped: true);

    /// <summary>Resumes a frozen server with SIGCONT; returns once it answers PING again.</summary>
    public async Task ThawAsync()
    {
        await SignalAsync("CONT", stopped: false);
        var deadline = Stopwatch.StartNew();
        while (!await LocalServer.AnswersPingAsync(Port))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within 20 s of SIGCONT.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Sends a signal to the server and waits (bounded) until /proc shows it stopped or running.</summary>
    private async Task SignalAsync(string signal, bool stopped)
    {
        if (_guard is null)
        {
            throw new InvalidOperationException("The server is not running.");
        }

        using (var kill = Process.Start("kill", ["-" + signal, _serverPid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -{signal} {_serverPid} failed with exit code {kill.ExitCode}.");
            }
        }

        // The state letter follows the command name in parentheses: T when stopped by a signal.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var stat = await File.ReadAllTextAsync($"/proc/{_serverPid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            if ((state == "T") == stopped)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"redis-server {_serverPid} is in state '{state}' 10 s after SIG{signal}.");
            }

            await Task.Delay(1);
        }
    }
}
