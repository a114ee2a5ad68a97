using TypedState.Observability;

namespace TypedState;

/// <summary>The read-modify-write loop behind every <c>UpdateAsync</c>: retry on version conflicts with a short, growing back-off.</summary>
public static class OptimisticRetry
{
    /// <summary>How many attempts <c>UpdateAsync</c> makes by default before giving up.</summary>
    public const int DefaultMaxAttempts = 100;

    /// <summary>Runs <paramref name="update"/> against the latest value until a conditional write succeeds.</summary>
    /// <param name="read">Reads the current entry.</param>
    /// <param name="write">Writes a value expecting a version; returns the new version.</param>
    /// <param name="key">The key, for the returned entry.</param>
    /// <param name="update">Computes the new value from the current one (<c>default</c> when absent).</param>
    /// <param name="maxAttempts">Attempts before the last conflict is rethrown.</param>
    /// <param name="cancellationToken">Cancels the loop.</param>
    public static ValueTask<StateEntry<T>> UpdateAsync<T>(
        Func<CancellationToken, ValueTask<StateEntry<T>>> read,
        Func<T, long, CancellationToken, ValueTask<long>> write,
        string key,
        Func<T?, T> update,
        int maxAttempts,
        CancellationToken cancellationToken) =>
        UpdateAsync(read, write, null, key, update, maxAttempts, cancellationToken);

    /// <summary>
    /// <see cref="UpdateAsync{T}(Func{CancellationToken, ValueTask{StateEntry{T}}}, Func{T, long, CancellationToken, ValueTask{long}}, string, Func{T, T}, int, CancellationToken)"/>
    /// under an <c>update</c> span of its own naming <paramref name="owner"/>, the parent of each attempt's read and write.
    /// </summary>
    internal static async ValueTask<StateEntry<T>> UpdateAsync<T>(
        Func<CancellationToken, ValueTask<StateEntry<T>>> read,
        Func<T, long, CancellationToken, ValueTask<long>> write,
        StateOwner? owner,
        string key,
        Func<T?, T> update,
        int maxAttempts,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        using var span = new CompositeSpan("update", owner, key);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                span.Attempt(attempt);
                var current = await read(cancellationToken).ConfigureAwait(false);
                var next = update(current.Exists ? current.Value : default);
                try
                {
                    var version = await write(next, current.Version, cancellationToken).ConfigureAwait(false);
                    return new StateEntry<T>(key, true, next, version);
                }
                catch (StateConflictException) when (attempt < maxAttempts)
                {
                    await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            span.Fail(ex);
            throw;
        }
    }

    /// <summary>Waits a little before attempt <paramref name="attempt"/> + 1, so contenders spread out.</summary>
    public static async Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        // The first retries only yield; persistent contention gets a randomized wait of up to a few milliseconds.
        if (attempt <= 2)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        var ceiling = Math.Min(attempt, 8);
        await Task.Delay(Random.Shared.Next(0, ceiling + 1), cancellationToken).ConfigureAwait(false);
    }
}
