using System.Diagnostics;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// The commit: one Lua script answers a remembered commit id, checks the epoch of every root it touches, every fence and
// version, then applies every write, or applies nothing.
public sealed partial class RedisStateDriver
{
    // The largest ARGV array kept for reuse (a batch of about 70 writes).
    private const int MaxReusedArgs = 512;

    // ARGV arrays kept for reuse, one per length (a script takes its arguments as an array of exactly their count): a
    // call takes the one of its length (or allocates when another call holds it) and gives it back, cleared, once the
    // script has answered.
    private readonly RedisValue[]?[] _argsByLength = new RedisValue[]?[MaxReusedArgs + 1];

    // Names this driver in the epochs of the markers its commits make (with the server clock): unique per marker.
    private readonly RedisValue _epochSource = Guid.NewGuid().ToString("N");

    // Commit ids whose batch found the server's data lost (bounded): repeats of them are refused the same way.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _lostCommits = new();

    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        // The common commit: one set, delete or check, no fence, no wait to cancel and the connection ready. It needs
        // no state machine of the driver's: a reused RedisOneWriteCommit completes from the client's answer.
        if (writes is { Count: 1 } && fences is { Count: 0 } && !cancellationToken.CanBeCanceled
            && writes[0].Kind is StateWriteKind.Set or StateWriteKind.Delete or StateWriteKind.Check
            && (commitId.IsNone || !_lostCommits.ContainsKey(commitId.Value)) && TryDatabase(out var database))
        {
            var owner = _owners.For(writes[0].Owner);
            var seen = _rootEpochs.Of(owner.Root);
            return RentOneWriteCommit().Start(database, writes, owner, seen, CommitOneArgs(writes[0], owner, commitId, seen), commitId);
        }

        return CommitWithScriptsAsync(writes, fences, commitId, oneWrite: true, cancellationToken);
    }

    /// <summary>
    /// A commit by script: by <see cref="RedisScripts.CommitOne"/> when <paramref name="oneWrite"/> and the batch is
    /// one set, delete or check without a fence, which may decline it; then by the general <see cref="RedisScripts.Commit"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    internal async ValueTask<CommitResult> CommitWithScriptsAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, bool oneWrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes, acceptAppend: true);
        cancellationToken.ThrowIfCancellationRequested();

        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (!commitId.IsNone && _lostCommits.ContainsKey(commitId.Value))
        {
            // A repeat of a batch whose attempt found the data lost: it may have been applied before the loss and lost
            // with it, so applying it now could build on state that is gone. It stays reported as the loss.
            throw new RedisDataLossException(KeyPrefix);
        }

        // One set, delete or check without a fence (the common commit) goes to the script for it, which declines
        // (before writing) what only the general script does; then the batch goes to the general script.
        if (oneWrite && fences.Count == 0 && writes.Count == 1 && writes[0].Kind != StateWriteKind.Append)
        {
            var owner = _owners.For(writes[0].Owner);
            var seen = _rootEpochs.Of(owner.Root);
            // Sent by text: a commit that may be canceled, the first of a connection, or one the server could not run
            // by SHA1 (the others go by SHA1 through RedisOneWriteCommit, see CommitAsync).
            var oneArgs = CommitOneArgs(writes[0], owner, commitId, seen);
            var oneReply = await EvaluateCommitAsync(RedisHotScripts.CommitOne, database, owner.OneWriteKeys, oneArgs, cancellationToken).ConfigureAwait(false);
            ReturnArgs(oneArgs);
            if (ReadCommitOne(oneReply, owner, seen) is { } answered)
            {
                return answered;
            }

            if ((long)oneReply[0] == RedisScripts.CommitOneDataLost)
            {
                throw await DataLostAsync(database, owner, seen.Epoch, commitId).ConfigureAwait(false);
            }
        }

        // A batch of one guild, or of global state alone (the common case), touches one root: its first write's.
        var firstOwner = writes.Count == 0 ? null : _owners.For(writes[0].Owner);
        var roots = OneRoot(firstOwner, writes, fences) ? null : RootsOf(writes, fences);
        var rootCount = roots?.Count ?? 1;
        // One root and no fence: the KEYS are the root's marker alone, an array shared by every such call.
        var sharedKeys = roots is null && fences.Count == 0;
        var keys = sharedKeys ? firstOwner!.MarkerKeys : new RedisKey[rootCount + fences.Count];
        // What was seen of each root (an array for a batch of several roots only).
        var seenMany = rootCount == 1 ? null : new RedisRootEpochs.Seen[rootCount];
        var seenFirst = default(RedisRootEpochs.Seen);
        var argCount = RedisScripts.CommitHeaderArgs + (rootCount * 2) + (fences.Count * 3) + (writes.Count * RedisScripts.CommitArgsPerWrite);
        var args = RentArgs(argCount);
        args[0] = fences.Count;
        args[1] = writes.Count;
        args[2] = _root;
        args[3] = rootCount;
        args[4] = commitId.IsNone ? RedisValue.EmptyString : CommitIdText(commitId);
        args[5] = _commitIdRetentionMs;
        args[6] = _epochSource;
        int k = 0, a = RedisScripts.CommitHeaderArgs;
        for (var r = 0; r < rootCount; r++)
        {
            var root = RootOwner(roots, firstOwner, r);
            var seen = _rootEpochs.Of(root.Root);
            if (seenMany is null)
            {
                seenFirst = seen;
            }
            else
            {
                seenMany[r] = seen;
            }

            if (!sharedKeys)
            {
                keys[k++] = root.Marker;
            }

            args[a++] = seen.Epoch ?? RedisValue.EmptyString;
            args[a++] = seen.Sequence;
        }

        for (var f = 0; f < fences.Count; f++)
        {
            var fence = fences[f];
            keys[k++] = _owners.For(fence.Owner).LockTokens;
            args[a++] = fence.Key is null ? "o" : "k";
            args[a++] = RedisKeys.LockResource(fence.Key);
            args[a++] = fence.Token;
        }

        for (var w = 0; w < writes.Count; w++)
        {
            var write = writes[w];
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

        RedisResult[]? reply = null;
        if (!cancellationToken.CanBeCanceled)
        {
            // Nothing can stop the wait: sent by SHA1 and awaited here, with no task of the wait's own.
            try
            {
                reply = (RedisResult[])(await RedisHotScripts.Commit.SendAsync(database, keys, args).ConfigureAwait(false))!;
            }
            catch (RedisServerException ex) when (RedisPreparedScript.NotRun(ex))
            {
                // Nothing ran: sent again by text, below.
            }
            catch (Exception ex) when (RedisCommitFailures.MayHaveRun(ex))
            {
                throw AnswerLost(ex);
            }
        }

        reply ??= await EvaluateCommitAsync(RedisHotScripts.Commit, database, keys, args, cancellationToken).ConfigureAwait(false);

        // Answered, so the client is done with the array (after a failure it may not be: it is dropped).
        ReturnArgs(args);
        switch ((long)reply[0])
        {
            case 0:
                var answered = (int)(long)reply[1];
                for (var r = 0; r < answered; r++)
                {
                    // An empty epoch is the one the driver sent (the common case: no text to decode).
                    var epoch = (RedisValue)reply[2 + (2 * r)];
                    var root = RootOwner(roots, firstOwner, r);
                    _rootEpochs.Saw(root.Root, epoch.IsNullOrEmpty ? (seenMany?[r] ?? seenFirst).Epoch! : (string)epoch!, (long)reply[3 + (2 * r)]);
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
                throw await DataLostAsync(database, RootOwner(roots, firstOwner, lost), (seenMany?[lost] ?? seenFirst).Epoch, commitId).ConfigureAwait(false);
            case 4:
                return CommitResult.TimelineRefused((int)reply[1], (long)reply[2]);
            default:
                throw new InvalidOperationException($"The Redis commit script returned the unknown status {(long)reply[0]}.");
        }
    }

    /// <summary>
    /// Whether every write and fence of a batch lies under the root of its first write's owner
    /// (<paramref name="first"/>; null for a batch without writes, which is never of one root).
    /// </summary>
    private bool OneRoot(RedisOwnerKeys? first, IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences)
    {
        if (first is null)
        {
            return false;
        }

        var root = first.Root;
        for (var i = 1; i < writes.Count; i++)
        {
            if (!string.Equals(_owners.For(writes[i].Owner).Root, root, StringComparison.Ordinal))
            {
                return false;
            }
        }

        for (var i = 0; i < fences.Count; i++)
        {
            if (!string.Equals(_owners.For(fences[i].Owner).Root, root, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The owner keys naming root <paramref name="index"/> of a batch: its first write's when the batch has one root (<paramref name="roots"/> null).</summary>
    private static RedisOwnerKeys RootOwner(List<(RedisOwnerKeys Owner, string? Key)>? roots, RedisOwnerKeys? first, int index) =>
        roots is null ? first! : roots[index].Owner;

    /// <summary>The commit id as the script stores it: 32 lowercase hexadecimal digits, as UTF-8.</summary>
    private static byte[] CommitIdText(CommitId commitId)
    {
        var text = new byte[32];
        commitId.Value.TryFormat(text, out _, "N");
        return text;
    }

    /// <summary>An ARGV array of exactly <paramref name="length"/> entries, reused when one is free.</summary>
    private RedisValue[] RentArgs(int length) =>
        (length <= MaxReusedArgs ? Interlocked.Exchange(ref _argsByLength[length], null) : null) ?? new RedisValue[length];

    /// <summary>Gives back an array of <see cref="RentArgs"/> once the script has answered.</summary>
    internal void ReturnArgs(RedisValue[] args)
    {
        if (args.Length <= MaxReusedArgs)
        {
            Array.Clear(args);
            Volatile.Write(ref _argsByLength[args.Length], args);
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
    /// <remarks>Sent by text: a call that may be canceled (its wait ends with the cancellation), or one the server could not run by SHA1.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<RedisResult[]> EvaluateCommitAsync(RedisPreparedScript script, IDatabase database, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        var pending = script.ResendAsync(database, keys, args);
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
            throw AnswerLost(ex);
        }
    }

    /// <summary>The error of a commit that may have reached the server but whose answer was lost.</summary>
    internal static CommitOutcomeUnknownException AnswerLost(Exception exception) =>
        new($"The Redis commit may have been applied, but its answer was lost: {exception.Message}", exception);
}
