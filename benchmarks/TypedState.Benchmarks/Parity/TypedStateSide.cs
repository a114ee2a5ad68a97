namespace TypedState.Benchmarks.Parity;

/// <summary>TypedState's <see cref="StateManager"/> on any driver: the calls an application makes.</summary>
public sealed class TypedStateSide(StateManager manager) : ParitySide
{
    private readonly StateOwner _writeOwner = ParityData.Owner(ParityData.WriteOwner);
    private readonly StateOwner _getOwner = ParityData.Owner(ParityData.GetOwner);
    private readonly StateOwner _listOwner = ParityData.Owner(ParityData.ListOwner);

    public StateManager Manager => manager;

    /// <summary>Writes the data set: each owner's 500 records in transactions of 100.</summary>
    public async Task SeedAsync()
    {
        for (var o = 0; o < ParityData.Owners; o++)
        {
            var owner = ParityData.Owner(o);
            for (var start = 0; start < ParityData.RecordsPerOwner; start += 100)
            {
                await using var transaction = await manager.BeginTransactionAsync();
                for (var i = start; i < start + 100; i++)
                {
                    await transaction.SetAsync(owner, ParityData.Key(i), ParityData.Create(o, i), ParityData.TypeInfo);
                }

                await transaction.CommitAsync();
            }
        }
    }

    protected override long ReadVersion(int keyIndex) => manager.GetAsync(_writeOwner, ParityData.Key(keyIndex), ParityData.TypeInfo).Wait().Version;

    protected override long ReadOne(string key) => manager.GetAsync(_getOwner, key, ParityData.TypeInfo).Wait().Value!.Count;

    protected override long WriteOne(string key) => manager.SetAsync(_writeOwner, key, Value, ParityData.TypeInfo).Wait();

    protected override long CompareAndSet(string key, long expected) => manager.SetAsync(_writeOwner, key, Value, ParityData.TypeInfo, expected).Wait();

    protected override long Delete(string key)
    {
        manager.SetAsync(_writeOwner, key, Value, ParityData.TypeInfo).Wait();
        return manager.DeleteAsync(_writeOwner, key).Wait() ? 1 : 0;
    }

    protected override long Transaction(long[] versions) => TransactionAsync(versions).AsTask().GetAwaiter().GetResult();

    private async ValueTask<long> TransactionAsync(long[] versions)
    {
        await using var transaction = await manager.BeginTransactionAsync();
        for (var i = 0; i < versions.Length; i++)
        {
            await transaction.SetAsync(_writeOwner, ParityData.Key(ParityData.TransactionKeys + i), Value, ParityData.TypeInfo, versions[i]);
        }

        var commit = await transaction.CommitAsync();
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i]++;
        }

        return commit.GetHashCode();
    }

    protected override long List() => ListAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask<long> ListAsync()
    {
        var (count, sum) = (0, 0L);
        await foreach (var entry in manager.ListAsync(_listOwner, string.Empty, ParityData.TypeInfo))
        {
            count++;
            sum += entry.Value!.Count;
        }

        return CheckListed(count, sum);
    }

    protected override long LockRoundTrip() => LockAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask<long> LockAsync()
    {
        var held = await manager.TryAcquireLockAsync(_writeOwner, ParityData.LockKey, ParityData.LockLease) ?? throw new InvalidOperationException("The lock was taken.");
        await held.ReleaseAsync();
        return 1;
    }

    public override ValueTask DisposeAsync() => manager.DisposeAsync();
}
