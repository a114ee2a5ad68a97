using StackExchange.Redis;

namespace TypedState.Redis;

/// <summary>
/// Tells a failed commit that cannot have been applied from one whose request may have reached the server (its
/// answer lost), from what StackExchange.Redis knows of the command: a command still waiting to be written, or in
/// the backlog, when it failed was never sent (the client removes a timed-out command from the backlog, so it is
/// never sent later); an error reply that the server gives only before running anything (busy with a script,
/// loading, a read-only replica, out of memory at a script's first write, …) means it did not run. Anything else
/// after the request was handed to the connection — a timeout awaiting the answer, a connection closed or killed —
/// leaves the outcome unknown.
/// </summary>
internal static class RedisCommitFailures
{
    // Error codes a server only replies with before it runs a command (for a script, OOM is checked at its first
    // write, before anything is written; the commit script writes only after every check).
    private static readonly string[] s_refusedBeforeRunning =
    [
        "BUSY", "LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "MOVED", "ASK", "TRYAGAIN", "MISCONF", "NOSCRIPT",
        "NOAUTH", "WRONGPASS", "NOPERM", "OOM", "NOREPLICAS", "CROSSSLOT",
    ];

    /// <summary>Whether the request that failed with <paramref name="exception"/> may have been run by the server.</summary>
    public static bool MayHaveRun(Exception exception) => exception switch
    {
        RedisTimeoutException timeout => !NotSent(timeout.Commandstatus),
        RedisConnectionException connection => !NotSent(connection.CommandStatus),
        RedisServerException server => !Refused(server.Message),
        RedisCommandException or ObjectDisposedException or ArgumentException => false,
        _ => true,
    };

    private static bool NotSent(CommandStatus status) => status is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog;

    private static bool Refused(string message)
    {
        foreach (var code in s_refusedBeforeRunning)
        {
            if (message.StartsWith(code, StringComparison.Ordinal) && (message.Length == code.Length || message[code.Length] == ' '))
            {
                return true;
            }
        }

        return false;
    }
}
