using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TypedState.Timeline;

namespace TypedState.Guilds;

/// <summary>
/// A minimal in-process host of guilds. Stopping a guild keeps its state (it continues on the next start);
/// removing a guild deletes its guild state and its agents' state, as their lifetimes end.
/// </summary>
public sealed class GuildHost : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Guild> _guilds = new(StringComparer.Ordinal);
    private static readonly GuildOptions s_defaults = new();
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates a host whose guilds keep their state in <paramref name="state"/>.</summary>
    public GuildHost(IStateManager state, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        State = state;
        Timelines = (state as StateManager)?.Timelines;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The state manager the guilds use.</summary>
    public IStateManager State { get; }

    /// <summary>
    /// The guild timelines recorded messages and pauses go to: by default those of <see cref="State"/> when it is a
    /// <see cref="StateManager"/>; null when there are none.
    /// </summary>
    public IGuildTimelines? Timelines { get; init; }

    /// <summary>The running guilds.</summary>
    public IReadOnlyCollection<Guild> Guilds => [.. _guilds.Values];

    /// <summary>Starts (or resumes) a guild; its stored state is whatever earlier runs left.</summary>
    /// <exception cref="InvalidOperationException">A guild with this id is already running in this host.</exception>
    public Guild StartGuild(string guildId) => StartGuild(guildId, s_defaults);

    /// <summary>Starts (or resumes) a guild that runs with <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">A guild with this id is already running in this host, or the
    /// options need guild timelines and the host has none.</exception>
    public Guild StartGuild(string guildId, GuildOptions options)
    {
        _ = StateOwner.Guild(guildId); // validates the id
        ArgumentNullException.ThrowIfNull(options);
        if (options.RecordMessages && Timelines is null)
        {
            throw new InvalidOperationException($"Guild '{guildId}' cannot record its messages: the host was created without guild timelines.");
        }

        var guild = new Guild(this, guildId, options, _loggerFactory);
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

    /// <summary>Stops every guild, waiting for each to finish its message in hand; their state is kept.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal void Forget(Guild guild) => _guilds.TryRemove(new KeyValuePair<string, Guild>(guild.Id, guild));
}
