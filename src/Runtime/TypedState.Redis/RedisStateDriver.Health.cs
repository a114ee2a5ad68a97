namespace TypedState.Redis;

// The health probe.
public sealed partial class RedisStateDriver
{
    /// <inheritdoc />
    /// <remarks>
    /// Waits for the connection (and its preparation: the memory policy check) as any operation does, then sends
    /// <c>PING</c>; the wait ends when <paramref name="cancellationToken"/> fires even while the client still retries.
    /// </remarks>
    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        _ = await database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
