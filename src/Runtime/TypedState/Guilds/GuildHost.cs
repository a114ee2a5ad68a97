using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TypedState.Guilds;

/// <summary>
/// A minimal in-process host of guilds. Stopping a guild keeps its state (it continues on the next start);
/// removing a guild deletes its guild state and its agents' state, as their lifetimes end.
/// </summary>
public sealed class GuildHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Guild> _guilds = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates a host whose guilds keep their state in <paramref name="state"/>.</summary>
    public GuildHost(IStateManager state, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        State = state;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The state manager the guilds use.</summary>
    public IStateManager State { get; }

    /// <summary>The running guilds.</summary>
    public IReadOnlyCollection<Guild> Guilds => [.. _guilds.Values];

    /// <summary>Starts (or resumes) a guild; its stored state is whatever earlier runs left.</summary>
    /// <exception cref="InvalidOperationException">A guild with this id is already running in this host.</exception>
    public Guild StartGuild(string guildId)
    {
        _ = StateOwner.Guild(guildId); // validates the id
        var guild = new Guild(this, guildId, _loggerFactory);
        if (!_guilds.TryAdd(guildId, guild))
        {
            throw new InvalidOperationException($"Guild '{guildId}' is already running.");
        }

        return guild;
    }

    /// <summary>Finds a running guild.</summary>
    public bool TryGetGuild(string guildId, out Guild guild) => _guilds.TryGetValue(guildId, out guild!);

    /// <summary>Stops every guild; their state is kept.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var guild in _guilds.Values)
        {
            await guild.StopAsync().ConfigureAwait(false);
        }
    }

    internal void Forget(Guild guild) => _guilds.TryRemove(new KeyValuePair<string, Guild>(guild.Id, guild));
}
