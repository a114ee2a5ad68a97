using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState.Timeline;

/// <summary>
/// The guild timelines of a <see cref="StateManager"/>'s store, on a driver that keeps them
/// (<see cref="ITimelineDriver"/>): validation, serialization, errors and telemetry as for state, written once.
/// </summary>
public sealed partial class GuildTimelines : IGuildTimelines
{
    private readonly StateManager _manager;

    /// <summary>Creates the timelines of <paramref name="manager"/>'s store.</summary>
    public GuildTimelines(StateManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        _manager = manager;
    }

    /// <inheritdoc />
    public JsonSerializerOptions SerializerOptions => _manager.SerializerOptions;

    /// <inheritdoc />
    public ValueTask<GuildTimeline> StartAsync(string guildId, CancellationToken cancellationToken = default) =>
        RunAsync("timeline.start", guildId, null, (driver, ct) => driver.StartTimelineAsync(guildId, ct), cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline?> GetAsync(string guildId, CancellationToken cancellationToken = default) =>
        RunAsync("timeline.get", guildId, null, (driver, ct) => driver.ReadTimelineAsync(guildId, ct), cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<TimelineEntry> ReadAsync(string guildId, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        var driver = Driver(guildId);
        await foreach (var item in TranslatedAsync(driver.ReadEntriesAsync(guildId, afterSequence, cancellationToken), "timeline.read", StateOwner.Guild(guildId), cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc />
    public async ValueTask<StateEntry<T>> GetAsOfAsync<T>(StateOwner owner, string key, long sequence, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        _manager.ValidateKey(owner, key);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var record = await RunAsync("timeline.get_as_of", GuildOf(owner), key, (driver, ct) => driver.ReadAsOfAsync(owner, key, sequence, ct), cancellationToken, owner).ConfigureAwait(false);
        return record is { } stored
            ? new StateEntry<T>(key, true, _manager.Deserialize(owner, key, stored.Value, stored.Version, typeInfo), stored.Version)
            : new StateEntry<T>(key, false, default, 0);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateEntry<T>> ListAsOfAsync<T>(StateOwner owner, string prefix, long sequence, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _manager.ValidatePrefix(owner, prefix);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var driver = Driver(GuildOf(owner));
        await foreach (var record in TranslatedAsync(driver.ListAsOfAsync(owner, prefix, sequence, cancellationToken), "timeline.list_as_of", owner, cancellationToken).ConfigureAwait(false))
        {
            yield return _manager.ToEntry(owner, record, typeInfo);
        }
    }

    /// <inheritdoc />
    public async ValueTask<long> AppendAsync<TEvent>(StateOwner owner, TEvent domainEvent, JsonTypeInfo<TEvent> typeInfo, string? eventId = null, CancellationToken cancellationToken = default)
    {
        var write = AppendWrite(_manager, owner, domainEvent, typeInfo, eventId);
        _ = Driver(GuildOf(owner));
        var result = await _manager.CommitAsync("timeline.append", [write], cancellationToken).ConfigureAwait(false);
        return result.Versions[0];
    }

    /// <summary>Appends a document already serialized (a recorded message) and returns its sequence.</summary>
    internal async ValueTask<long> AppendRawAsync(StateOwner owner, string id, byte[] document, CancellationToken cancellationToken)
    {
        _manager.ValidateKey(owner, id);
        _ = Driver(GuildOf(owner));
        var result = await _manager.CommitAsync("timeline.append", [new StateWrite(owner, id, StateWriteKind.Append, document, null)], cancellationToken).ConfigureAwait(false);
        return result.Versions[0];
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken = default) =>
        RunAsync("timeline.pause", guildId, null, (driver, ct) => driver.PauseAsync(guildId, ct), cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken = default) =>
        RunAsync("timeline.resume", guildId, null, (driver, ct) => driver.ResumeAsync(guildId, ct), cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken = default)
    {
        _ = StateOwner.Guild(newGuildId);
        ArgumentOutOfRangeException.ThrowIfNegative(atSequence);
        return RunAsync("timeline.fork", sourceGuildId, null, (driver, ct) => driver.ForkAsync(sourceGuildId, atSequence, newGuildId, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken = default)
    {
        var detached = await RunAsync("timeline.detach", forkGuildId, null, (driver, ct) => driver.DetachAsync(forkGuildId, ct), cancellationToken).ConfigureAwait(false);
        StateLog.TimelineDetached(_manager.Logger, detached.GuildId, detached.RetainedFrom, detached.Head);
        return detached;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var driver = Driver(guildId);
        await foreach (var item in TranslatedAsync(driver.ListForksAsync(guildId, cancellationToken), "timeline.list_forks", StateOwner.Guild(guildId), cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizon);
        return RunAsync("timeline.prune", guildId, null, (driver, ct) => driver.PruneAsync(guildId, horizon, ct), cancellationToken);
    }

    /// <summary>The batch entry that appends an event (used by transactions too).</summary>
    internal static StateWrite AppendWrite<TEvent>(StateManager manager, StateOwner owner, TEvent domainEvent, JsonTypeInfo<TEvent> typeInfo, string? eventId)
    {
        var id = eventId ?? Guid.NewGuid().ToString("N");
        manager.ValidateKey(owner, id);
        _ = GuildOf(owner);
        return new StateWrite(owner, id, StateWriteKind.Append, manager.Serialize(owner, id, domainEvent, typeInfo), null);
    }

    /// <summary>A driver's stream, with its failures translated as the store's are (state errors pass through).</summary>
    private async IAsyncEnumerable<T> TranslatedAsync<T>(IAsyncEnumerable<T> source, string operation, StateOwner owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            T item;
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                item = items.Current;
            }
            catch (Exception ex)
            {
                throw _manager.Translate(ex, operation, owner, null);
            }

            yield return item;
        }
    }

    private static string GuildOf(StateOwner owner) =>
        owner.Scope == Scope.Global
            ? throw new ArgumentException("Global state belongs to no guild and has no timeline; pass a guild or agent owner.", nameof(owner))
            : owner.GuildIdOrEmpty;

    private ITimelineDriver Driver(string guildId)
    {
        _ = StateOwner.Guild(guildId);
        return _manager.Driver as ITimelineDriver
            ?? throw new StateTimelineException(TimelineFailure.NotSupported, guildId, null, $"The {_manager.Driver.Name} driver keeps no guild timelines.");
    }

    private async ValueTask<TResult> RunAsync<TResult>(string operation, string guildId, string? key, Func<ITimelineDriver, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken, StateOwner? owner = null)
    {
        var driver = Driver(guildId);
        var tracker = OperationTracker.Start(operation, _manager.Driver.Name, owner ?? StateOwner.Guild(guildId), key);
        try
        {
            var result = await call(driver, cancellationToken).ConfigureAwait(false);
            tracker.Complete();
            if (operation is not ("timeline.get" or "timeline.get_as_of" or "timeline.detach") && result is GuildTimeline timeline)
            {
                StateLog.TimelineChanged(_manager.Logger, operation, timeline.GuildId, timeline.Head, timeline.IsPaused, timeline.ForkedFrom, timeline.RetainedFrom);
            }

            return result;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw _manager.Translate(ex, operation, owner ?? StateOwner.Guild(guildId), key);
        }
    }
}
