using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace TypedState.Redis;

/// <summary>
/// A script of the hot paths (commit, lock, listing), sent by its SHA1 (<c>EVALSHA</c>) computed once, so a call
/// neither hashes nor looks up the script's text on the client. A server that does not know the script yet (new,
/// restarted, or after <c>SCRIPT FLUSH</c>) answers <c>NOSCRIPT</c> without running anything, and a cluster refuses a
/// call while its slot moves, also before anything ran (<see cref="NotRun"/>): the caller then sends the call again by
/// its text (<see cref="ResendAsync"/>, which loads the script and retries while the slot moves). Callers await
/// <see cref="SendAsync"/> themselves, so a call adds no state machine of its own.
/// </summary>
internal sealed class RedisPreparedScript
{
    private readonly byte[] _sha1;

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "Redis names scripts by their SHA1; this is not a security use.")]
    public RedisPreparedScript(string text)
    {
        Text = text;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The script's Lua text.</summary>
    public string Text { get; }

    /// <summary>Whether a failure of <see cref="SendAsync"/> means the script did not run and may be sent again.</summary>
    public static bool NotRun(RedisServerException exception) =>
        exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal) || RedisScriptCalls.InMotion(exception.Message);

    /// <summary>Sends the script by its SHA1.</summary>
    public Task<RedisResult> SendAsync(IDatabase database, RedisKey[] keys, RedisValue[] args) =>
        database.ScriptEvaluateAsync(_sha1, keys, args);

    /// <summary>Sends the script by its text, after <see cref="SendAsync"/> failed as <see cref="NotRun"/> says.</summary>
    public Task<RedisResult> ResendAsync(IDatabase database, RedisKey[] keys, RedisValue[] args) =>
        RedisScriptCalls.RunAsync(database, Text, keys, args);
}
