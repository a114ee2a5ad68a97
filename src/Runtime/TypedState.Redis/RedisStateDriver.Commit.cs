using System.Diagnostics;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// The commit: one Lua script answers a remembered commit id, checks the epoch of every root it touches, every fence and
// version, then applies every write, or applies nothing.
public sealed partial class RedisStateDriver
{
    // The ARGV array of a single write without fences (the common case), reused by one call at a time: a call takes
    // it (or allocates when another call holds it) and gives it back, cleared, once the script has answered.
    private RedisValue[]? _singleArgs;

    // Commit ids whose batch found the server's data lost (bounded): repeats of them are refused the same way.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _lostCommits = new(StringComparer.Ordinal);

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes, acceptAppend: true);
        cancellationToken.ThrowIfCancellationRequested();

        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (!commitId.IsNone && _lostCommits.ContainsKey(commitId.ToString()))
        {
            // A repeat of a batch whose attempt found the data lost: it may have been applied before the loss and lost
            // with it, so applying it now could build on state that is gone. It stays reported as the loss.
            throw new RedisDataLossException(KeyPrefix);
        }

        var roots = RootsOf(writes, fences);
        var keys = new RedisKey[roots.Count + fences.Count];
        var argCount = RedisScripts.CommitHeaderArgs + (roots.Count * 2) + (fences.Count * 3) + (writes.Count * RedisScripts.CommitArgsPerWrite);
        var single = writes.Count == 1 && fences.Count == 0;
        var args = (single ? Interlocked.Exchange(ref _singleArgs, null) : null) ?? new RedisValue[argCount];
        args[0] = fences.Count;
        args[1] = writes.Count;
        args[2] = _root;
        args[3] = roots.Count;
        args[4] = commitId.IsNone ? RedisValue.EmptyString : commitId.ToString();
        args[5] = _commitIdRetentionMs;
        args[6] = NewEpochId();
        int k = 0, a = RedisScripts.CommitHeaderArgs;
        var seen = new RedisRootEpochs.Seen[roots.Count];
        foreach (var (root, _) in roots)
        {
            seen[k] = _rootEpochs.Of(root.Root);
            keys[k++] = root.Marker;
            args[a++] = seen[k - 1].Epoch ?? RedisValue.EmptyString;
            args[a++] = seen[k - 1].Sequence;
        }

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
            args[a++] = write.Kind switch
            {
                StateWriteKind.Set => "s",
                StateWriteKind.Delete => "d",
                StateWriteKind.Check => "c",
                StateWriteKind.Append => "a",
                _ => throw new UnreachableException("Write kinds are checked before the script is built."),
            };
            args[a++] = write.ExpectedVersion is { } expected ? expected : RedisValue.EmptyString;
            args[a++] = write.Kind is StateWriteKind.Set or StateWriteKind.Append ? write.Value : RedisValue.EmptyString;
            args[a++] = write.Key;
            args[a++] = owner.Tag;
            args[a++] = owner.GuildTag;
            args[a++] = owner.Member;
        }

        var reply = await EvaluateCommitAsync(database, keys, args, cancellationToken).ConfigureAwait(false);
        if (single)
        {
            // Answered, so the client is done with the array (after a failure it may not be: it is dropped).
            Array.Clear(args);
            Volatile.Write(ref _singleArgs, args);
        }

        switch ((long)reply[0])
        {
            case 0:
                var answered = (int)(long)reply[1];
                for (var r = 0; r < answered; r++)
                {
                    _rootEpochs.Saw(roots[r].Owner.Root, (string)reply[2 + (2 * r)]!, (long)reply[3 + (2 * r)]);
                }

                var first = 2 + (2 * answered);
                var versions = new long[writes.Count];
                for (var i = 0; i < versions.Length; i++)
                {
                    versions[i] = (long)reply[first + i];
                }

                return CommitResult.Success(versions);
            case 1:
                return CommitResult.Conflict((int)reply[1], (long)reply[2]);
            case 2:
                return CommitResult.FencedOut((int)reply[1], (long)reply[2]);
            case 3:
                var lost = (int)(long)reply[1];
                await AdoptEpochAsync(database, roots[lost].Owner, seen[lost].Epoch).ConfigureAwait(false);
                if (!commitId.IsNone)
                {
                    if (_lostCommits.Count >= 4096)
                    {
                        _lostCommits.Clear();
                    }

                    _lostCommits.TryAdd(commitId.ToString(), 0);
                }

                throw new RedisDataLossException(KeyPrefix);
            case 4:
                return CommitResult.TimelineRefused((int)reply[1], (long)reply[2]);
            default:
                throw new InvalidOperationException($"The Redis commit script returned the unknown status {(long)reply[0]}.");
        }
    }

    /// <summary>
    /// The roots a batch touches, in the order its writes and then its fences name them, each with the first write or
    /// fence naming it. On a cluster a batch may touch one root only: global state and each guild (with its agents)
    /// hash to slots of their own, and one script cannot span slots, so a second root refuses the batch.
    /// </summary>
    private List<(RedisOwnerKeys Owner, string? Key)> RootsOf(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences)
    {
        var roots = new List<(RedisOwnerKeys Owner, string? Key)>(1);
        foreach (var write in writes)
        {
            Add(_owners.For(write.Owner), write.Key);
        }

        foreach (var fence in fences)
        {
            Add(_owners.For(fence.Owner), fence.Key);
        }

        if (roots.Count == 0)
        {
            Add(_owners.For(StateOwner.Global), null);
        }

        if (roots.Count > 1 && _cluster)
        {
            throw new CrossSlotTransactionException([.. roots.Select(static r => r.Owner.Owner)], roots[1].Owner.Owner, roots[1].Key);
        }

        return roots;

        void Add(RedisOwnerKeys owner, string? key)
        {
            foreach (var (known, _) in roots)
            {
                if (string.Equals(known.Root, owner.Root, StringComparison.Ordinal))
                {
                    return;
                }
            }

            roots.Add((owner, key));
        }
    }

    /// <summary>
    /// Runs the commit script and classifies a failure: one that may have reached the server (its answer lost, or
    /// the caller stopped waiting after it was handed to the connection) becomes a
    /// <see cref="CommitOutcomeUnknownException"/>; any other means nothing was applied and passes through.
    /// </summary>
    private static async ValueTask<RedisResult[]> EvaluateCommitAsync(IDatabase database, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        var pending = RedisScriptCalls.RunAsync(database, RedisScripts.Commit, keys, args);
        try
        {
            return (RedisResult[])(await pending.WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (OperationCanceledException canceled) when (cancellationToken.IsCancellationRequested)
        {
            // The command stays with the connection and may still run.
            Observe(pending);
            throw new CommitOutcomeUnknownException("The wait for the Redis commit was canceled after it was handed to the connection; it may still be applied.", canceled);
        }
        catch (Exception ex) when (RedisCommitFailures.MayHaveRun(ex))
        {
            throw new CommitOutcomeUnknownException($"The Redis commit may have been applied, but its answer was lost: {ex.Message}", ex);
        }
    }
}
