namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task EnsureCreated_is_repeatable_and_the_store_works_after_it()
    {
        var state = await CreateManagerAsync();

        await state.EnsureCreatedAsync();
        await state.EnsureCreatedAsync();
        await state.SetAsync(Agent1, "after", 1);

        await AssertRecordAsync(state, Agent1, "after", 1, 1);
        await AssertAbsentAsync(state, Agent2, "after");
    }

    [Fact]
    public async Task EnsureCreated_honours_a_cancelled_token()
    {
        var state = await CreateManagerAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.EnsureCreatedAsync(cancelled.Token).AsTask());
    }

    [Fact]
    public async Task The_driver_and_a_manager_that_owns_it_dispose_synchronously()
    {
        var driver = await CreateDriverAsync();
        Assert.IsAssignableFrom<IDisposable>(driver);

        using (var manager = new StateManager(driver, ownsDriver: true))
        {
            await manager.SetAsync(Agent1, "k", 1);
            await AssertRecordAsync(manager, Agent1, "k", 1, 1);
        }

        // Disposing again, either way, does nothing.
        ((IDisposable)driver).Dispose();
        await driver.DisposeAsync();
    }
}
