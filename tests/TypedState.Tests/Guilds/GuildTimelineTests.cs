using System.Text;
using TypedState.Guilds;
using TypedState.InMemory;
using TypedState.Timeline;

namespace TypedState.Tests.Guilds;

/// <summary>
/// The guild host over a guild timeline: recorded messages, pausing delivery and fencing the guild, resuming in
/// another host, and replaying a recorded conversation against a fork. Runs once, over the in-memory driver; what the
/// host needs from a driver is in the timeline conformance suite.
/// </summary>
public sealed class GuildTimelineTests : IAsyncLifetime
{
    private const string G = "support";
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    // Managers and hosts are inserted in front, so they are disposed before the one driver they share (the last).
    private readonly List<IAsyncDisposable> _disposables = [new InMemoryStateDriver()];

    private InMemoryStateDriver Driver => (InMemoryStateDriver)_disposables[^1];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_delivered_message_is_recorded_before_the_writes_of_its_handler()
    {
        var (state, host) = Open();
        await state.Timelines.StartAsync(G);
        var guild = host.StartGuild(G, new GuildOptions { RecordMessages = true });
        guild.AddAgent("counter", new Counter());
        guild.AddAgent("echo", new Counter());

        await guild.SendAsync("counter", new Add(2));
        Assert.Equal(2, await guild.PublishAsync(new Add(3)));

        var entries = await EntriesAsync(state);
        var messages = entries.Select(e => RecordedMessage.TryRead(e, out var m) ? m : null).ToList();
        Assert.Equal(6, entries.Count);
        Assert.Equal(("counter", typeof(Add).FullName, 2), (messages[0]!.AgentId, messages[0]!.MessageType, Read(messages[0]!).Amount));
        Assert.Equal((TimelineEntryKind.Set, "total", "2"), (entries[1].Kind, entries[1].Key, Text(entries[1].Value)));
        Assert.Equal(3, messages.Count(m => m is not null));
        Assert.All(messages.Where(m => m is not null), m => Assert.Equal(m!.Sequence + 1, entries[(int)m.Sequence].Sequence));
    }

    [Fact]
    public async Task A_guild_takes_a_snapshot_every_N_entries_and_a_rebuild_matches_its_state()
    {
        var (state, host) = Open();
        await state.Timelines.StartAsync(G);
        var guild = host.StartGuild(G, new GuildOptions { RecordMessages = true, SnapshotEvery = 4 });
        guild.AddAgent("counter", new Counter());
        for (var i = 1; i <= 6; i++)
        {
            await guild.SendAsync("counter", new Add(i));
        }

        // Each delivery adds two entries (the message, then the total): the messages at 5 and 11 are 4 or more past
        // the last snapshot, so snapshots follow their handlers, at 6 and 12.
        Assert.Equal([12L, 6L], await state.Timelines.ListSnapshotsAsync(G).ToListAsync());
        var rebuilt = await state.Timelines.RebuildAsync(G, 9);
        Assert.Equal(("10", 4L), (Text(rebuilt.Find(StateOwner.Agent(G, "counter"), "total")!.Value), rebuilt.Find(StateOwner.Agent(G, "counter"), "total")!.Version));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuildOptions { SnapshotEvery = 0 });
    }

    [Fact]
    public async Task Pausing_waits_for_running_handlers_then_refuses_deliveries_and_writes_until_resumed_elsewhere()
    {
        var (state, host) = Open();
        await state.Timelines.StartAsync(G);
        var guild = host.StartGuild(G, new GuildOptions { RecordMessages = true });
        var slow = new Gated();
        guild.AddAgent("slow", slow);
        guild.AddAgent("counter", new Counter());
        await guild.SendAsync("counter", new Add(1));

        var running = guild.SendAsync("slow", new Add(5)).AsTask();
        await slow.Entered.Task.WaitAsync(s_bound);
        var pausing = guild.PauseAsync().AsTask();
        Assert.False(pausing.IsCompleted);
        slow.Release.SetResult();
        await running.WaitAsync(s_bound);
        var paused = await pausing.WaitAsync(s_bound);
        Assert.Equal((true, 4L), (paused.IsPaused, paused.PausedAt));

        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await guild.SendAsync("counter", new Add(1)));
        Assert.Equal((TimelineFailure.Paused, G), (refused.Failure, refused.GuildId));
        var other = Open().State;
        await Assert.ThrowsAsync<StateTimelineException>(async () => await other.SetAsync(StateOwner.Agent(G, "counter"), "total", 99));
        Assert.Equal(4, (await state.Timelines.GetAsync(G))!.Head);

        // Another host (as another process would) resumes the guild where it stopped, with the same state.
        await guild.StopAsync();
        var (_, secondHost) = Open();
        var resumed = secondHost.StartGuild(G, new GuildOptions { RecordMessages = true });
        resumed.AddAgent("counter", new Counter());
        Assert.Equal((false, 4L), ((await resumed.ResumeAsync()).IsPaused, (await state.Timelines.GetAsync(G))!.Head));
        await resumed.SendAsync("counter", new Add(10));
        Assert.Equal(11, (await state.GetAsync<int>(StateOwner.Agent(G, "counter"), "total")).Value);
    }

    [Fact]
    public async Task Replaying_with_the_same_handlers_repeats_every_change_and_a_changed_handler_diverges_where_it_changed()
    {
        var (state, host) = Open();
        await state.Timelines.StartAsync(G);
        var guild = host.StartGuild(G, new GuildOptions { RecordMessages = true });
        guild.AddAgent("counter", new Counter());
        await guild.SendAsync("counter", new Add(1));
        await guild.SendAsync("counter", new Add(2));
        await guild.SendAsync("counter", new Add(3));
        var head = (await state.Timelines.GetAsync(G))!.Head;

        var replay = new GuildReplay(host).Handle<Add>();
        var same = await replay.RunAsync(G, 0, head, "support-replay", g => g.AddAgent("counter", new Counter()));
        Assert.Equal((false, 3), (same.Diverged, same.MessagesReplayed));
        Assert.Equal(6, (await state.GetAsync<int>(StateOwner.Agent("support-replay", "counter"), "total")).Value);

        var changed = await replay.RunAsync(G, 0, head, "support-what-if", g => g.AddAgent("counter", new Counter { SkewAbove = 0 }));
        Assert.True(changed.Diverged);
        Assert.Equal(2, changed.MessagesReplayed);
        var divergence = changed.Divergence!;
        Assert.Equal((3L, "3", "4"), (divergence.Message.Sequence, Text(divergence.Expected!.Value), Text(divergence.Actual!.Value)));
        Assert.Contains("sequence 3", divergence.Description, StringComparison.Ordinal);

        // The source was never written; the replay's fork keeps what it did up to the divergence.
        Assert.Equal(6, (await state.GetAsync<int>(StateOwner.Agent(G, "counter"), "total")).Value);
        Assert.Equal(head, (await state.Timelines.GetAsync(G))!.Head);
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(async () => await new GuildReplay(host).RunAsync(G, 0, head, "unregistered", g => g.AddAgent("counter", new Counter())));
        Assert.Contains(typeof(Add).FullName!, missing.Message, StringComparison.Ordinal);
        var beyond = await Assert.ThrowsAsync<StateTimelineException>(async () => await replay.RunAsync(G, 0, head + 1, "too-far", g => { }));
        Assert.Equal((TimelineFailure.BeyondHead, head + 1), (beyond.Failure, beyond.Sequence));
        Assert.Null(await state.Timelines.GetAsync("too-far"));
    }

    private (StateManager State, GuildHost Host) Open()
    {
        var state = new StateManager(Driver);
        var host = new GuildHost(state);
        _disposables.Insert(0, state);
        _disposables.Insert(0, host);
        return (state, host);
    }

    private static async Task<List<TimelineEntry>> EntriesAsync(StateManager state)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync(G))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static Add Read(RecordedMessage message) => System.Text.Json.JsonSerializer.Deserialize<Add>(message.Payload.Span, new StateManagerOptions().SerializerOptions)!;

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    public sealed record Add(int Amount);

    /// <summary>Adds each amount to its agent's total; with <see cref="SkewAbove"/>, adds one more once the total passes it.</summary>
    private sealed class Counter : IMessageHandler<Add>
    {
        public int? SkewAbove { get; init; }

        public async ValueTask HandleAsync(Add message, AgentContext context, CancellationToken cancellationToken)
        {
            var total = await context.State.GetValueOrDefaultAsync(Scope.Agent, "total", 0, cancellationToken);
            var skew = SkewAbove is { } above && total > above ? 1 : 0;
            await context.State.SetAsync(Scope.Agent, "total", total + message.Amount + skew, cancellationToken: cancellationToken);
        }
    }

    /// <summary>A handler that waits inside until released, to pause while it runs.</summary>
    private sealed class Gated : IMessageHandler<Add>
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask HandleAsync(Add message, AgentContext context, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            await context.State.SetAsync(Scope.Agent, "seen", message.Amount, cancellationToken: cancellationToken);
        }
    }
}
