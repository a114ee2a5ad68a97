using TypedState.Redis;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// Writers that each count up a record of their own with compare-and-set writes, until stopped, and keep the honest
/// account of every write: acknowledged, refused as not applied, or reported with an unknown outcome (then read back to
/// learn which), and every loss the store reported (<see cref="RedisDataLossException"/>).
/// </summary>
internal sealed class RedisClusterWriters(StateManager state, IReadOnlyList<StateOwner> owners) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _acknowledged = new long[owners.Count];
    private readonly long[] _losses = new long[owners.Count];
    private readonly long[] _silentLosses = new long[owners.Count];
    private Task? _running;

    public long Unknown;
    public long NotApplied;

    /// <summary>The count each writer's record holds by its acknowledged writes.</summary>
    public IReadOnlyList<long> Acknowledged => _acknowledged;

    /// <summary>How often the store reported to each writer that it lost data.</summary>
    public IReadOnlyList<long> Losses => _losses;

    /// <summary>How often a writer found acknowledged writes gone without the store having reported a loss.</summary>
    public long SilentLosses => _silentLosses.Sum();

    public long Total => _acknowledged.Sum();

    public void Start() => _running = Task.WhenAll(owners.Select((owner, i) => Task.Run(() => WriteAsync(i, owner))));

    public void Dispose() => _stop.Dispose();

    /// <summary>Stops the writers and waits for them (a writer stopped while reading back ends there).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running!;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>What happened so far, for the test's output.</summary>
    public override string ToString() =>
        $"{Total} writes acknowledged, {NotApplied} not applied, {Unknown} unknown, losses reported: {string.Join(",", Losses)}, silent: {SilentLosses}";

    /// <summary>Waits (polling the writers' own count) until they acknowledged <paramref name="more"/> writes beyond now.</summary>
    public async Task WaitForMoreAsync(long more, TimeSpan timeout)
    {
        var target = Total + more;
        using var limit = new CancellationTokenSource(timeout);
        while (Total < target)
        {
            await Task.Delay(10, limit.Token);
        }
    }

    private async Task WriteAsync(int i, StateOwner owner)
    {
        var key = "counter";
        long version = 0, value = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                version = await state.SetAsync(owner, key, value + 1, expectedVersion: version);
                value++;
                _acknowledged[i] = value;
            }
            catch (StateException ex) when (ex.Outcome == StateWriteOutcome.Unknown || ex is StateConflictException || ex.InnerException is RedisDataLossException || ex.Outcome == StateWriteOutcome.NotApplied)
            {
                if (ex.Outcome == StateWriteOutcome.Unknown)
                {
                    Interlocked.Increment(ref Unknown);
                }
                else
                {
                    Interlocked.Increment(ref NotApplied);
                }

                if (ex.InnerException is RedisDataLossException)
                {
                    _losses[i]++;
                }

                // Read back what is stored: the write either landed (its value is there) or not; anything below the
                // acknowledged count is a loss, which the store must have reported.
                (value, version) = await ReadBackAsync(owner, key);
                if (ex.InnerException is not RedisDataLossException && value < _acknowledged[i])
                {
                    _silentLosses[i]++;
                }

                _acknowledged[i] = value;
            }
        }
    }

    private async Task<(long, long)> ReadBackAsync(StateOwner owner, string key)
    {
        while (true)
        {
            _stop.Token.ThrowIfCancellationRequested();
            try
            {
                var entry = await state.GetAsync<long>(owner, key);
                return (entry.Exists ? entry.Value : 0, entry.Version);
            }
            catch (StateDriverException)
            {
                // The node is still failing over; read again.
            }
        }
    }
}
