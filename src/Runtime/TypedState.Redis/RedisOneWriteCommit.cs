using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

/// <summary>
/// The commit of one set, delete or check (<see cref="RedisScripts.CommitOne"/>) that nothing can cancel, as the task
/// its caller awaits: it sends the script by SHA1 and completes from the client's answer, so the common commit has no
/// state machine of the driver's own. One is reused per driver (<see cref="RedisStateDriver"/> keeps a few), not per
/// thread, so a commit answered on another thread gives it back all the same. What the answer leaves to do (a script
/// the server forgot, a batch the script declined, data lost) goes on in the driver's general commit.
/// </summary>
internal sealed class RedisOneWriteCommit : IValueTaskSource<CommitResult>
{
    private readonly RedisStateDriver _driver;
    private readonly Action _onAnswer;
    private ManualResetValueTaskSourceCore<CommitResult> _core;
    private ConfiguredTaskAwaitable<RedisResult>.ConfiguredTaskAwaiter _answer;
    private IReadOnlyList<StateWrite> _writes = [];
    private RedisOwnerKeys? _owner;
    private RedisRootEpochs.Seen _seen;
    private RedisValue[] _args = [];
    private CommitId _commitId;

    public RedisOneWriteCommit(RedisStateDriver driver)
    {
        _driver = driver;
        _onAnswer = OnAnswer;
    }

    /// <summary>Sends <paramref name="writes"/>' one write; the task completes with the script's answer.</summary>
    public ValueTask<CommitResult> Start(IDatabase database, IReadOnlyList<StateWrite> writes, RedisOwnerKeys owner, RedisRootEpochs.Seen seen, RedisValue[] args, CommitId commitId)
    {
        (_writes, _owner, _seen, _args, _commitId) = (writes, owner, seen, args, commitId);
        var token = _core.Version;
        Task<RedisResult> sent;
        try
        {
            sent = RedisHotScripts.CommitOne.SendAsync(database, owner.OneWriteKeys, args);
        }
        catch (Exception ex)
        {
            // Told apart as a failed answer is: whether the request may have reached the server.
            sent = Task.FromException<RedisResult>(ex);
        }

        _answer = sent.ConfigureAwait(false).GetAwaiter();
        if (_answer.IsCompleted)
        {
            OnAnswer();
        }
        else
        {
            _answer.UnsafeOnCompleted(_onAnswer);
        }

        return new ValueTask<CommitResult>(this, token);
    }

    public CommitResult GetResult(short token)
    {
        if (token != _core.Version || _core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            // A stale token or a commit still under way: refused as such, the commit left as it is.
            return _core.GetResult(token);
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            (_writes, _owner, _args, _answer) = ([], null, [], default);
            _core.Reset();
            _driver.ReturnOneWriteCommit(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnAnswer()
    {
        RedisResult[] reply;
        try
        {
            reply = (RedisResult[])_answer.GetResult()!;
        }
        catch (RedisServerException ex) when (RedisPreparedScript.NotRun(ex))
        {
            // Nothing ran: the general commit sends the batch again (by text once the server says it lacks the script).
            _driver.ReturnArgs(_args);
            _ = ContinueAsync(_driver.CommitWithScriptsAsync(_writes, [], _commitId, oneWrite: true, CancellationToken.None));
            return;
        }
        catch (Exception ex)
        {
            _core.SetException(RedisCommitFailures.MayHaveRun(ex) ? RedisStateDriver.AnswerLost(ex) : ex);
            return;
        }

        _driver.ReturnArgs(_args);
        try
        {
            var answered = _driver.ReadCommitOne(reply, _owner!, _seen);
            if (answered is { } result)
            {
                _core.SetResult(result);
            }
            else if ((long)reply[0] == RedisScripts.CommitOneDataLost)
            {
                _ = ContinueAsync(_driver.CommitOneLostAsync(_owner!, _seen, _commitId));
            }
            else
            {
                _ = ContinueAsync(_driver.CommitWithScriptsAsync(_writes, [], _commitId, oneWrite: false, CancellationToken.None));
            }
        }
        catch (Exception ex)
        {
            _core.SetException(ex);
        }
    }

    /// <summary>Completes with what the rest of the commit gives; never faults itself.</summary>
    private async Task ContinueAsync(ValueTask<CommitResult> rest)
    {
        try
        {
            _core.SetResult(await rest.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            _core.SetException(ex);
        }
    }
}
