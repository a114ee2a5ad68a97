using System.Runtime.CompilerServices;
using TypedState.Timeline;

namespace TypedState.Redis;

// Pinned replay points: a sorted set per guild ({p}:xp:<guild>) that a prune's horizon is lowered to.
public sealed partial class RedisStateDriver
{
    /// <inheritdoc />
    public async ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var reply = await EvaluateAsync(RedisScripts.Pins, [_root, guildId, "p", sequence], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, sequence);
        return Describe(guildId, reply, 1);
    }

    /// <inheritdoc />
    public async ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.Pins, [_root, guildId, "u", sequence], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, sequence);
        return Describe(guildId, reply, 1);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListPinsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.Pins, [_root, guildId, "l", 0], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, null);
        for (var i = 1; i < reply.Length; i++)
        {
            yield return (long)reply[i];
        }
    }
}
