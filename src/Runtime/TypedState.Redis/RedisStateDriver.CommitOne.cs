using System.Buffers.Binary;
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
        if (commitId.IsNone)
        {
            args[0] = RedisValue.EmptyString;
            args[1] = args[2] = args[3] = args[4] = 0;
        }
        else
        {
            // The id's bytes in the order of its text, as four numbers: the script writes the name's hex digits.
            Span<byte> id = stackalloc byte[16];
            commitId.Value.TryWriteBytes(id, bigEndian: true, out _);
            args[0] = owner.CommitIds;
            args[1] = BinaryPrimitives.ReadUInt32BigEndian(id);
            args[2] = BinaryPrimitives.ReadUInt32BigEndian(id[4..]);
            args[3] = BinaryPrimitives.ReadUInt32BigEndian(id[8..]);
            args[4] = BinaryPrimitives.ReadUInt32BigEndian(id[12..]);
        }

        args[5] = _commitIdRetentionMs;
        args[6] = _epochSource;
        args[7] = seen.Epoch ?? RedisValue.EmptyString;
        args[8] = seen.Sequence;
        args[9] = write.Kind switch
        {
            StateWriteKind.Set => "s",
            StateWriteKind.Delete => "d",
            _ => "c",
        };
        args[10] = write.ExpectedVersion is { } expected ? expected : RedisValue.EmptyString;
        args[11] = write.Kind == StateWriteKind.Set ? write.Value : RedisValue.EmptyString;
        args[12] = write.Key;
        args[13] = owner.RecordBaseValue;
        args[14] = owner.ScopeLetter;
        args[15] = owner.Member;
        args[16] = owner.Tag;
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
