using System.Diagnostics;
using System.Threading.Channels;

namespace TypedState.Sqlite;

/// <summary>
/// The driver's one write connection and the queue in front of it. Every write of the driver (commits, owner
/// removal, locks) goes through here, so the writers of one process queue in order instead of racing for SQLite's
/// write lock, whose busy handler is unfair and sleeps the thread. A write with nobody ahead of it runs at once on
/// its caller's thread; otherwise it waits, as a task holding no thread, for the writer loop, which applies
/// everything queued in one transaction (group commit: one fsync for the group). While another connection or
/// process holds the write lock the loop polls for it asynchronously, and a queued write leaves the queue when its
/// token fires or after <see cref="SqliteStateDriverOptions.BusyTimeout"/>, with nothing applied.
/// </summary>
internal sealed partial class SqliteWriter : IAsyncDisposable, IDisposable
{
    /// <summary>The most writes one transaction takes, so a long queue is committed in bounded steps.</summary>
    private const int MaxGroup = 128;

    private readonly Channel<SqliteWrite> _queue = Channel.CreateUnbounded<SqliteWrite>(new UnboundedChannelOptions { SingleReader = true });

    // Held by whoever uses the write connection: the loop for one group, or one write running on its caller's thread.
    private readonly SemaphoreSlim _connectionGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SqliteSessionPool _sessions;
    private readonly SqliteStateDriverOptions _options;
    private readonly TimeProvider _clock;
    private readonly string _dataSource;
    private readonly Action _onFinished;
    private readonly List<SqliteWrite> _alone = new(1);
    private readonly Task _loop;
    private SqliteSession? _session;
    private int _outstanding;
    private long _transactions;
    private readonly SqliteCommitPruner _pruner = new();
    private volatile bool _disposed;

    public SqliteWriter(SqliteSessionPool sessions, SqliteStateDriverOptions options, TimeProvider clock, string dataSource)
    {
        _sessions = sessions;
        _options = options;
        _clock = clock;
        _dataSource = dataSource;
        _onFinished = () => Interlocked.Decrement(ref _outstanding);
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>How many write transactions were committed (a group counts once).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>
    /// A seam for tests: when set, called after each successful COMMIT; an exception it returns is handled as the
    /// COMMIT's answer, as an I/O error reported at the last moment of a commit would be.
    /// </summary>
    public Func<Exception?>? CommitFault { get; set; }

    /// <summary>
    /// Runs <paramref name="apply"/> in a write transaction and returns its result once committed. It returns
    /// <c>Keep = false</c> when it changed nothing or its changes are to be undone (a refused condition).
    /// </summary>
    /// <param name="state">What <paramref name="apply"/> works on.</param>
    /// <param name="apply">The write, run on the write connection inside the transaction.</param>
    /// <param name="mayApplyInPart">Whether <paramref name="apply"/> can change rows and then refuse; it then runs under a savepoint when grouped.</param>
    /// <param name="isCommit">Whether a COMMIT whose outcome is unknown is reported as <see cref="Storage.CommitOutcomeUnknownException"/>.</param>
    /// <param name="cancellationToken">Honoured while the write is queued or waits for the lock; once taken into a transaction it is finished.</param>
    public Task<TResult> Run<TState, TResult>(
        TState state,
        Func<SqliteSession, TState, (TResult Result, bool Keep)> apply,
        bool mayApplyInPart,
        bool isCommit,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var write = new SqliteWriteOf<TState, TResult>(state, apply, mayApplyInPart, isCommit, Stopwatch.GetTimestamp(), _onFinished);
        if (Interlocked.Increment(ref _outstanding) == 1 && TryRunHere(write))
        {
            return write.Task;
        }

        write.WatchCancellation(cancellationToken);
        if (!_queue.Writer.TryWrite(write))
        {
            write.Fail(Stopped());
        }

        return write.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);

        // A write running on its caller's thread finishes before the connection closes.
        await _connectionGate.WaitAsync().ConfigureAwait(false);
        Close();
    }

    /// <summary>
    /// <see cref="DisposeAsync"/>, blocking: the loop stops at once (queued writes fail) and a write in hand is a
    /// local transaction, so the wait is short and needs no network.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _loop.GetAwaiter().GetResult();
        _connectionGate.Wait();
        Close();
    }

    private void Close()
    {
        _session?.Dispose();
        _session = null;
        _stopping.Dispose();
    }

    /// <summary>
    /// Runs a write nobody else is waiting for on the caller's thread: no queue, no thread hop. False when the
    /// connection is in use or another connection holds the write lock; the write is then queued.
    /// </summary>
    private bool TryRunHere(SqliteWrite write)
    {
        if (!_connectionGate.Wait(0))
        {
            return false;
        }

        try
        {
            if (_disposed)
            {
                write.Fail(Stopped());
                return true;
            }

            if (!TryBegin(Session()))
            {
                return false;
            }

            write.TryTake();
            _alone.Add(write);
            RunGroup(Session(), _alone, retryAlone: null);
            return true;
        }
#pragma warning disable CA1031 // Any failure to open the connection or begin: the write fails with it, nothing applied.
        catch (Exception error)
#pragma warning restore CA1031
        {
            write.Fail(error);
            return true;
        }
        finally
        {
            _alone.Clear();
            _connectionGate.Release();
        }
    }

    /// <summary>Takes queued writes in groups and applies each group in one transaction, until disposed.</summary>
    private async Task RunLoopAsync()
    {
        var group = new List<SqliteWrite>(MaxGroup);
        var retryAlone = new Queue<SqliteWrite>();
        try
        {
            while (retryAlone.Count > 0 || await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                await _connectionGate.WaitAsync(_stopping.Token).ConfigureAwait(false);
                try
                {
                    // A write whose group failed runs alone, to learn whether it or another one failed.
                    var joinable = retryAlone.Count == 0;
                    if (!joinable)
                    {
                        group.Add(retryAlone.Dequeue());
                    }

                    await RunNextGroupAsync(group, joinable, retryAlone).ConfigureAwait(false);
                }
                finally
                {
                    // Normally every write here is finished; only a disposal in the middle leaves some.
                    FailAll(group, Stopped());
                    _connectionGate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed: what is left below was never applied.
        }

        FailAll(retryAlone, Stopped());
        while (_queue.Reader.TryRead(out var write))
        {
            write.Fail(Stopped());
        }
    }

    private async Task RunNextGroupAsync(List<SqliteWrite> group, bool joinable, Queue<SqliteWrite> retryAlone)
    {
        if (joinable)
        {
            Drain(group);
        }

        try
        {
            if (group.Count == 0 || !await BeginAsync(group, joinable).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            FailAll(group, error);
            return;
        }

        // The write lock is held: everything queued meanwhile joins this transaction.
        if (joinable)
        {
            Drain(group);
        }

        group.RemoveAll(static write => !write.TryTake());
        if (group.Count == 0)
        {
            RollBack(Session());
            return;
        }

        RunGroup(Session(), group, retryAlone);
    }

    /// <summary>Moves queued writes into <paramref name="group"/>, up to <see cref="MaxGroup"/>, skipping those cancelled meanwhile.</summary>
    private void Drain(List<SqliteWrite> group)
    {
        while (group.Count < MaxGroup && _queue.Reader.TryRead(out var write))
        {
            if (!write.IsFinished)
            {
                group.Add(write);
            }
        }
    }

    private SqliteSession Session() => _session ??= _sessions.OpenWriter();

    private static void FailAll(IEnumerable<SqliteWrite> writes, Exception error)
    {
        foreach (var write in writes)
        {
            write.Fail(error);
        }

        (writes as List<SqliteWrite>)?.Clear();
        (writes as Queue<SqliteWrite>)?.Clear();
    }

    private ObjectDisposedException Stopped() =>
        new(nameof(SqliteStateDriver), $"The SQLite driver for '{_dataSource}' was disposed before this write ran; nothing was applied.");
}
