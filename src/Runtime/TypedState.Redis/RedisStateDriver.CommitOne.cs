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

    // One-write commits kept for reuse (RedisOneWriteCommit): a commit takes one, or makes one when all are taken.
    private readonly RedisOneWriteCommit?[] _oneWriteCommits = new RedisOneWriteCommit?[8];

    /// <summary>
    /// What an answer of <see cref="RedisScripts.CommitOne"/> means: the commit's result (its epoch and sequence
    /// noted), or null when the script declined the batch or found the data of the root lost (<c>reply[0]</c> tells).
    /// </summary>
    internal CommitResult? ReadCommitOne(RedisResult[] reply, RedisOwnerKeys owner, RedisRootEpochs.Seen seen)
    {
        var status = (long)reply[0];
        if (status >= 0)
        {
            if (reply.Length > 1)
            {
                // Two entries: the epoch is the one the driver sent (the common case: no text to decode).
                _rootEpochs.Saw(owner.Root, reply.Length == 2 ? seen.Epoch! : (string)reply[2]!, (long)reply[1]);
            }

            return CommitResult.Success([status]);
        }

        return status switch
        {
            RedisScripts.CommitOneConflict => CommitResult.Conflict(0, (long)reply[1]),
            RedisScripts.CommitOneDataLost or RedisScripts.CommitOneDeclined => null,
            _ => throw new InvalidOperationException($"The Redis commit script returned the unknown status {status}."),
        };
    }

    /// <summary>The end of a one-write commit whose script found the data of its root lost: <see cref="DataLostAsync"/>, thrown.</summary>
    internal async ValueTask<CommitResult> CommitOneLostAsync(RedisOwnerKeys owner, RedisRootEpochs.Seen seen, CommitId commitId)
    {
        var database = await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        throw await DataLostAsync(database, owner, seen.Epoch, commitId).ConfigureAwait(false);
    }

    internal void ReturnOneWriteCommit(RedisOneWriteCommit commit)
    {
        for (var i = 0; i < _oneWriteCommits.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _oneWriteCommits[i], commit, null) is null)
            {
                return;
            }
        }
    }

    private RedisOneWriteCommit RentOneWriteCommit()
    {
        for (var i = 0; i < _oneWriteCommits.Length; i++)
        {
            if (Interlocked.Exchange(ref _oneWriteCommits[i], null) is { } commit)
            {
                return commit;
            }
        }

        return new RedisOneWriteCommit(this);
    }

    /// <summary>The database when the connection is open and prepared already (what <see cref="DatabaseAsync"/> would not wait for).</summary>
    private bool TryDatabase([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IDatabase? database)
    {
        database = Volatile.Read(ref _disposed) == 0 && _connection is { IsCompletedSuccessfully: true } connection
            && Volatile.Read(ref _prepared) is { IsCompletedSuccessfully: true }
            ? connection.Result.GetDatabase()
            : null;
        return database is not null;
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
