namespace TypedState.Orleans.Tests.Stores;

/// <summary>One store per test class, for the tests that drive the grain storage directly.</summary>
public sealed class StoreFixture<TStore> : IAsyncLifetime
    where TStore : TestStore, new()
{
    public TStore Store { get; } = new();

    public Task InitializeAsync() => Store.InitializeAsync();

    public Task DisposeAsync() => Store.DisposeAsync();
}
