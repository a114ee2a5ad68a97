using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using TypedState.Timeline;
using TypedState.Trimming;

namespace TypedState.Guilds;

/// <summary>
/// Replays a recorded span of a guild's message history (<see cref="GuildOptions.RecordMessages"/>) against a fork
/// of the guild, and reports the first place where the handlers now change something other than what the recorded run
/// changed: a deterministic-replay check for debugging a conversation. The source guild is never written.
/// </summary>
/// <remarks>
/// Messages are re-delivered one at a time, in their recorded order, to the agents the caller adds to the fork's guild;
/// the changes recorded after each message (up to the next one) are compared, in order, with the changes the replayed
/// handler makes: kind, owner, key and value (JSON compared as documents). Appended events are compared by value, not
/// by id. The comparison assumes the recorded run handled one message at a time; changes of concurrent handlers
/// interleaved in the recording show as divergences. Message types are found by their recorded .NET name among those
/// registered with <see cref="Handle{TMessage}()"/>.
/// </remarks>
public sealed class GuildReplay
{
    private readonly GuildHost _host;
    private readonly Dictionary<string, Func<Guild, string, ReadOnlyMemory<byte>, CancellationToken, ValueTask>> _deliveries = new(StringComparer.Ordinal);

    /// <summary>Creates a replay that starts its fork's guild in <paramref name="host"/>.</summary>
    public GuildReplay(GuildHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    /// <summary>
    /// Lets the replay re-deliver recorded messages of type <typeparamref name="TMessage"/>, read with the store's
    /// <see cref="IStateOperations.SerializerOptions"/>.
    /// </summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public GuildReplay Handle<TMessage>() =>
        Handle(StateOperationsExtensions.TypeInfoFrom<TMessage>(_host.State.SerializerOptions));

    /// <summary>Lets the replay re-deliver recorded messages of type <typeparamref name="TMessage"/>, read with <paramref name="typeInfo"/>.</summary>
    public GuildReplay Handle<TMessage>(JsonTypeInfo<TMessage> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _deliveries[typeof(TMessage).FullName ?? typeof(TMessage).Name] = (guild, agentId, payload, cancellationToken) =>
            guild.SendAsync(agentId, JsonSerializer.Deserialize(payload.Span, typeInfo)!, cancellationToken);
        return this;
    }

    /// <summary>
    /// Forks <paramref name="sourceGuildId"/> at <paramref name="fromSequence"/> into <paramref name="forkGuildId"/>,
    /// starts that guild here (recording its messages) with the agents <paramref name="addAgents"/> adds, re-delivers
    /// the messages recorded in <c>(fromSequence, toSequence]</c> and compares what follows each. Stops at the first
    /// divergence. The fork's guild is stopped at the end; its state and timeline are kept for inspection.
    /// </summary>
    /// <exception cref="StateTimelineException">The source has no timeline, the span is beyond its head or was pruned,
    /// or the fork's guild id is taken; nothing was created.</exception>
    /// <exception cref="InvalidOperationException">A recorded message's type was not registered with <see cref="Handle{TMessage}()"/>.</exception>
    public async ValueTask<ReplayReport> RunAsync(string sourceGuildId, long fromSequence, long toSequence, string forkGuildId, Action<Guild> addAgents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addAgents);
        ArgumentOutOfRangeException.ThrowIfLessThan(toSequence, fromSequence);
        var timelines = _host.Timelines ?? throw new InvalidOperationException("The host was created without guild timelines.");
        var source = await timelines.GetAsync(sourceGuildId, cancellationToken).ConfigureAwait(false)
            ?? throw new StateTimelineException(TimelineFailure.NotStarted, sourceGuildId, null, $"Guild '{sourceGuildId}' has no timeline to replay.");
        if (toSequence > source.Head)
        {
            throw new StateTimelineException(TimelineFailure.BeyondHead, sourceGuildId, toSequence, $"Sequence {toSequence} of guild '{sourceGuildId}' is beyond its head {source.Head}: nothing was replayed.");
        }

        var recorded = await ReadAsync(timelines, sourceGuildId, fromSequence, toSequence, cancellationToken).ConfigureAwait(false);
        var fork = await timelines.ForkAsync(sourceGuildId, fromSequence, forkGuildId, cancellationToken).ConfigureAwait(false);
        var guild = _host.StartGuild(forkGuildId, new GuildOptions { RecordMessages = true });
        try
        {
            addAgents(guild);
            var forkHead = fork.Head;
            var replayed = 0;
            foreach (var (message, expected) in Segments(recorded))
            {
                if (!_deliveries.TryGetValue(message.MessageType, out var deliver))
                {
                    throw new InvalidOperationException($"The recorded message at sequence {message.Sequence} of guild '{sourceGuildId}' is a {message.MessageType}, which the replay cannot deliver: register it with Handle<{message.MessageType}>().");
                }

                replayed++;
                string? failure = null;
                try
                {
                    await deliver(guild, message.AgentId, message.Payload, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failure = $"the handler threw {ex.GetType().Name}: {ex.Message}";
                }

                var actual = (await ReadAsync(timelines, forkGuildId, forkHead, long.MaxValue, cancellationToken).ConfigureAwait(false)).ToList();
                forkHead = actual.Count > 0 ? actual[^1].Sequence : forkHead;
                var divergence = failure is null
                    ? Compare(message, expected, [.. actual.Where(entry => !RecordedMessage.TryRead(entry, out _))])
                    : new ReplayDivergence(message, expected.FirstOrDefault(), null, $"Replaying the message at sequence {message.Sequence}: {failure}.");
                if (divergence is not null)
                {
                    return new ReplayReport(forkGuildId, fromSequence, toSequence, replayed, divergence);
                }
            }

            return new ReplayReport(forkGuildId, fromSequence, toSequence, replayed, null);
        }
        finally
        {
            await guild.StopAsync().ConfigureAwait(false);
        }
    }

    private static async Task<List<TimelineEntry>> ReadAsync(IGuildTimelines timelines, string guildId, long after, long upTo, CancellationToken cancellationToken)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in timelines.ReadAsync(guildId, after, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Sequence > upTo)
            {
                break;
            }

            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Each recorded message with the changes recorded after it, up to the next message.</summary>
    private static IEnumerable<(RecordedMessage Message, List<TimelineEntry> Changes)> Segments(List<TimelineEntry> entries)
    {
        RecordedMessage? current = null;
        var changes = new List<TimelineEntry>();
        foreach (var entry in entries)
        {
            if (RecordedMessage.TryRead(entry, out var message))
            {
                if (current is not null)
                {
                    yield return (current, changes);
                }

                current = message;
                changes = [];
            }
            else if (current is not null)
            {
                changes.Add(entry);
            }
        }

        if (current is not null)
        {
            yield return (current, changes);
        }
    }

    private static ReplayDivergence? Compare(RecordedMessage message, List<TimelineEntry> expected, List<TimelineEntry> actual)
    {
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var want = i < expected.Count ? expected[i] : null;
            var got = i < actual.Count ? actual[i] : null;
            if (want is null || got is null)
            {
                var what = want is null ? $"made an extra change: {Describe(got!)}" : $"did not repeat {Describe(want)}";
                return new ReplayDivergence(message, want, got, $"Replaying the message at sequence {message.Sequence}, the handler {what}.");
            }

            if (!Same(want, got))
            {
                return new ReplayDivergence(message, want, got, $"Replaying the message at sequence {message.Sequence}, the handler made {Describe(got)} where the recording has {Describe(want)}.");
            }
        }

        return null;
    }

    private static bool Same(TimelineEntry want, TimelineEntry got) =>
        want.Kind == got.Kind
        && want.Owner.Scope == got.Owner.Scope
        && want.Owner.AgentIdOrEmpty == got.Owner.AgentIdOrEmpty
        && (want.Kind == TimelineEntryKind.Append || want.Key == got.Key)
        && SameDocument(want.Value, got.Value);

    private static bool SameDocument(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b)
    {
        if (a.Span.SequenceEqual(b.Span))
        {
            return true;
        }

        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a.Span), JsonNode.Parse(b.Span));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(TimelineEntry entry) =>
        $"{entry.Kind.ToString().ToLowerInvariant()} of {StateException.Where(entry.Owner, entry.Kind == TimelineEntryKind.Append ? null : entry.Key)}"
        + (entry.Value.IsEmpty ? string.Empty : $" = {System.Text.Encoding.UTF8.GetString(entry.Value.Span)}");
}
