using System.Diagnostics;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// The commit: one Lua script checks every fence and version, then applies every write, or applies nothing.
public sealed partial class RedisStateDriver
{
    // The KEYS and ARGV arrays of a single write (the common case), reused by one call at a time: a call takes one
    // (or allocates when another call holds it) and gives it back, cleared, once the script has answered.
    // One KEYS array per scope's key count (agent 5, guild 4, global 3).
    private RedisKey[]? _singleAgentKeys;
    private RedisKey[]? _singleGuildKeys;
    private RedisKey[]? _singleGlobalKeys;
    private RedisValue[]? _singleArgs;

    private ref RedisKey[]? SingleKeys(int keyCount)
    {
        if (keyCount == 5)
        {
            return ref _singleAgentKeys;
        }

        if (keyCount == 4)
        {
            return ref _singleGuildKeys;
        }

        return ref _singleGlobalKeys;
    }

    /// <inheritdoc />
    public async ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes);
        cancellationToken.ThrowIfCancellationRequested();

        var keyCount = fences.Count;
        foreach (var write in writes)
        {
            keyCount += write.Owner.Scope switch
            {
                Scope.Agent => 5,
                Scope.Guild => 4,
                _ => 3,
            };
        }

        var argCount = 2 + (fences.Count * 3) + (writes.Count * 6);
        var single = writes.Count == 1 && fences.Count == 0;
        var keys = (single ? Interlocked.Exchange(ref SingleKeys(keyCount), null) : null) ?? new RedisKey[keyCount];
        var args = (single ? Interlocked.Exchange(ref _singleArgs, null) : null) ?? new RedisValue[argCount];
        args[0] = fences.Count;
        args[1] = writes.Count;
        int k = 0, a = 2;
        foreach (var fence in fences)
        {
            keys[k++] = _owners.For(fence.Owner).LockTokens;
            args[a++] = fence.Key is null ? "o" : "k";
            args[a++] = RedisKeys.LockResource(fence.Key);
            args[a++] = fence.Token;
        }

        foreach (var write in writes)
        {
            var owner = _owners.For(write.Owner);
            keys[k++] = owner.Record(write.Key);
            keys[k++] = owner.Index;
            keys[k++] = owner.Tombstones;
            var isAgent = write.Owner.Scope == Scope.Agent;
            if (write.Owner.Scope != Scope.Global)
            {
                keys[k++] = _keys.Owners(write.Owner.Scope);
            }

            if (isAgent)
            {
                keys[k++] = owner.GuildAgents;
            }

            args[a++] = write.Kind switch
            {
                StateWriteKind.Set => "s",
                StateWriteKind.Delete => "d",
                StateWriteKind.Check => "c",
                _ => throw new UnreachableException("Write kinds are checked before the script is built."),
            };
            args[a++] = write.ExpectedVersion is { } expected ? expected : RedisValue.EmptyString;
            args[a++] = write.Kind == StateWriteKind.Set ? write.Value : RedisValue.EmptyString;
            args[a++] = write.Key;
            args[a++] = isAgent ? owner.Tag : RedisValue.EmptyString;
            args[a++] = RedisKeys.OwnerMember(write.Owner);
        }

        var database = await DatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.Commit, keys, args).ConfigureAwait(false))!;
        if (single)
        {
            // Answered, so the client is done with the arrays (after a failure it may not be: they are dropped).
            Array.Clear(keys);
            Array.Clear(args);
            Volatile.Write(ref SingleKeys(keyCount), keys);
            Volatile.Write(ref _singleArgs, args);
        }

        switch ((long)reply[0])
        {
            case 0:
                var versions = new long[writes.Count];
                for (var i = 0; i < versions.Length; i++)
                {
                    versions[i] = (long)reply[i + 1];
                }

                return CommitResult.Success(versions);
            case 1:
                return CommitResult.Conflict((int)reply[1], (long)reply[2]);
            case 2:
                return CommitResult.FencedOut((int)reply[1], (long)reply[2]);
            default:
                throw new InvalidOperationException($"The Redis commit script returned the unknown status {(long)reply[0]}.");
        }
    }
}
