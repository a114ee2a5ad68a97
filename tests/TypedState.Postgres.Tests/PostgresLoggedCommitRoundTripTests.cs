using System.Collections.Concurrent;
using System.Diagnostics;
using TypedState.Postgres;
using TypedState.Storage;
using TypedState.Timeline;
using Xunit.Abstractions;

namespace TypedState.Tests.Postgres;

/// <summary>
/// The logged commit of a common batch (sets and version-checked deletes, no fences, no appends) is one round trip,
/// as an unlogged single write is; a batch the one round trip refuses (a failed condition, a pause) applies nothing
/// there and is reported by the two-round-trip path exactly as before; a repeated commit id applies nothing twice;
/// a fork's commits go to the two-round-trip path directly. Round trips are counted as Npgsql's command
/// activities on this test's own data source.
/// </summary>
public sealed class PostgresLoggedCommitRoundTripTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_logged_set_and_a_logged_transaction_take_one_round_trip_and_refusals_still_report_exactly()
    {
        await using var state = new PostgresStateManager(_server.ConnectionString, _schemas.New("roundtrips"));
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "a");
        await state.Timelines.StartAsync("g");
        await state.SetAsync(guild, "warm", 0);

        using var trips = new RoundTrips(output);
        Assert.Equal((1L, 1L), (await state.SetAsync(guild, "plan", "draft"), await state.SetAsync(agent, "notes", "a")));
        Assert.Equal(2, trips.Take());

        await using (var transaction = await state.BeginTransactionAsync())
        {
            await transaction.SetAsync(guild, "plan", "final");
            await transaction.SetAsync(agent, "notes", "b");
            await transaction.CommitAsync();
        }

        Assert.Equal(1, trips.Take());
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync("g", afterSequence: 1))
        {
            entries.Add(entry);
        }

        Assert.Equal([(2L, "plan", 0L, 1L), (3L, "notes", 0L, 1L), (4L, "plan", 1L, 2L), (5L, "notes", 1L, 2L)], entries.Select(e => (e.Sequence, e.Key, e.PreviousVersion, e.Version)));
        Assert.Single(entries.Skip(2).Select(e => e.CommitId).Distinct());

        // A repeated commit id finds the original's versions: nothing is applied or logged twice.
        var id = CommitId.New();
        StateWrite[] repeated = [new(agent, "repeat", StateWriteKind.Set, "1"u8.ToArray(), null)];
        var first = await state.Driver.CommitAsync(repeated, [], id, CancellationToken.None);
        var again = await state.Driver.CommitAsync(repeated, [], id, CancellationToken.None);
        Assert.Equal([1L], again.Versions);
        Assert.Equal(first.Versions, again.Versions);
        Assert.Equal(6, (await state.Timelines.GetAsync("g"))!.Head);
        trips.Take();

        // A fork's commits take the two-round-trip path at once (they may first copy what they read through the source).
        await state.Timelines.ForkAsync("g", 6, "fork");
        trips.Take();
        Assert.Equal(3, await state.SetAsync(StateOwner.Guild("fork"), "plan", "forked"));
        Assert.Equal(2, trips.Take());

        // A failed condition: declined in one round trip, then found and reported by the two-round-trip path.
        var conflict = await Assert.ThrowsAsync<StateConflictException>(async () => await state.SetAsync(guild, "plan", "stale", expectedVersion: 1));
        Assert.Equal(2, conflict.ActualVersion);
        Assert.True(trips.Take() > 1);
        Assert.Equal(6, (await state.Timelines.GetAsync("g"))!.Head);

        // A pause: the same, with nothing applied.
        await state.Timelines.PauseAsync("g");
        await Assert.ThrowsAsync<StateTimelineException>(async () => await state.SetAsync(guild, "plan", "paused"));
        Assert.Equal(("final", 6L), ((await state.GetAsync<string>(guild, "plan")).Value, (await state.Timelines.GetAsync("g"))!.Head));
    }

    /// <summary>Counts the commands Npgsql runs in this test's trace (one activity per round trip).</summary>
    private sealed class RoundTrips : IDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly ActivityListener _listener;
        private readonly Activity _root;
        private readonly ConcurrentQueue<string> _seen = new();

        public RoundTrips(ITestOutputHelper output)
        {
            _output = output;

            // Started directly (no source) before the listener: listeners see every test's activities in the
            // process, and one may stop the moment the listener is added.
            _root = new Activity("round trips").Start();
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.Source.Name == "Npgsql" && activity.TraceId == _root.TraceId)
                    {
                        _seen.Enqueue(activity.DisplayName);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>The round trips since the last call.</summary>
        public int Take()
        {
            var names = new List<string>();
            while (_seen.TryDequeue(out var name))
            {
                names.Add(name);
            }

            _output.WriteLine(string.Join(" | ", names));
            return names.Count;
        }

        public void Dispose()
        {
            _root.Dispose();
            _listener.Dispose();
        }
    }
}
