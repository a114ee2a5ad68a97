using Microsoft.Extensions.Hosting;

namespace TypedState.Tests.Hosting;

/// <summary>Disposes a host asynchronously, as its container must be once it holds a driver (they dispose asynchronously).</summary>
internal static class HostDisposal
{
    public static ValueTask DisposeAsync(this IHost host) => ((IAsyncDisposable)host).DisposeAsync();

    public static IAsyncDisposable AsAsyncDisposable(this IHost host) => (IAsyncDisposable)host;
}
