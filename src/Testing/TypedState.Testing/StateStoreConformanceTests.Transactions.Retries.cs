namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task RunTransaction_retries_the_work_after_a_conflict_and_commits_the_retry()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "balance", 10);
        var attempts = 0;

        var seen = await state.RunTransactionAsync(
            async (tx, ct) =>
            {
                attempts++;
                var balance = await tx.GetAsync<int>(Agent1, "balance", ct);
                if (attempts == 1)
                {
                    await state.SetAsync(Agent1, "balance", 100, cancellationToken: ct); // interference, first attempt only
                }

                await tx.SetAsync(Agent1, "balance", balance.Value + 1, cancellationToken: ct);
                await tx.SetAsync(Agent1, "audit", $"attempt {attempts}", cancellationToken: ct);
                return balance.Value;
            });

        Assert.Equal(2, attempts);
        Assert.Equal(100, seen);
        await AssertRecordAsync(state, Agent1, "balance", 101, 3);
        await AssertRecordAsync(state, Agent1, "audit", "attempt 2", 1);
    }

    [Fact]
    public async Task RunTransaction_gives_up_after_max_attempts_with_the_conflict()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "hot", 0);
        var attempts = 0;

        await Assert.ThrowsAsync<StateConflictException>(() => state.RunTransactionAsync(
            async (tx, ct) =>
            {
                attempts++;
                var hot = await tx.GetAsync<int>(Agent1, "hot", ct);
                await state.SetAsync(Agent1, "hot", hot.Value + 100, cancellationToken: ct); // always interferes
                await tx.SetAsync(Agent1, "hot", hot.Value + 1, cancellationToken: ct);
            },
            maxAttempts: 3).AsTask());

        Assert.Equal(3, attempts);
        await AssertRecordAsync(state, Agent1, "hot", 300, 4);
    }

    [Fact]
    public async Task RunTransaction_does_not_retry_other_errors_and_applies_nothing()
    {
        var state = await CreateManagerAsync();
        var attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => state.RunTransactionAsync(
            async (tx, ct) =>
            {
                attempts++;
                await tx.SetAsync(Agent1, "half", 1, cancellationToken: ct);
                throw new InvalidOperationException("the work failed");
            }).AsTask());

        Assert.Equal(1, attempts);
        await AssertAbsentAsync(state, Agent1, "half");
    }
}
