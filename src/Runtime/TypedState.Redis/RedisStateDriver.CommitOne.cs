using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// The commit of one write (RedisScripts.CommitOne): its arguments, and what a commit that found the data lost does.
public sealed partial class RedisStateDriver
{
    /// <summary>The ARGV of <see cref="RedisScripts.CommitOne"/> for <paramref name="write"/>, a set, delete or check.</summary>
    private RedisValue[] CommitOneArgs(StateWrite write, RedisOwnerKeys owner, CommitId commitId, RedisRootEpochs.Seen seen)
    {
        var args = RentArgs(RedisScripts.CommitOneArgs);
        args[0] = commitId.IsNone ? RedisValue.EmptyString : CommitIdText(commitId);
        args[1] = _commitIdRetentionMs;
        args[2] = _epochSource;
        args[3] = seen.Epoch ?? RedisValue.EmptyString;
        args[4] = seen.Sequence;
        args[5] = write.Kind switch
        {
            StateWriteKind.Set => "s",
            StateWriteKind.Delete => "d",
            _ => "c",
        };
        args[6] = write.ExpectedVersion is { } expected ? expected : RedisValue.EmptyString;
        args[7] = write.Kind == StateWriteKind.Set ? write.Value : RedisValue.EmptyString;
        args[8] = write.Key;
        args[9] = owner.RecordBaseValue;
        args[10] = owner.ScopeLetter;
        args[11] = owner.Member;
        args[12] = owner.Tag;
        return args;
    }

    /// <summary>
    /// After a commit found that the server lost the data of <paramref name="root"/>'s root since the driver saw
    /// epoch <paramref name="seen"/>: adopts the server's epoch, remembers the commit id (a repeat of the batch is
    /// refused the same way) and returns the error to throw. Nothing was applied.
    /// </summary>
    private async ValueTask<RedisDataLossException> DataLostAsync(IDatabase database, RedisOwnerKeys root, string? seen, CommitId commitId)
    {
        await AdoptEpochAsync(database, root, seen).ConfigureAwait(false);
        if (!commitId.IsNone)
        {
            if (_lostCommits.Count >= 4096)
            {
                _lostCommits.Clear();
            }

            _lostCommits.TryAdd(commitId.Value, 0);
        }

        return new RedisDataLossException(KeyPrefix);
    }
}
