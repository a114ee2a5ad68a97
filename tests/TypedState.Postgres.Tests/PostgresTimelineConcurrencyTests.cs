using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Timelines under concurrency on PostgreSQL: two drivers (two data sources, as two processes would have) commit to one
/// guild, one of them never told the guild keeps a timeline; the log stays gapless, folds into the state, and a reader
/// tailing "entries after N" never skips an entry that commits later (the bug class of a global sequence taken at the
/// start of a transaction and made visible out of commit order).
/// </summary>
public sealed class PostgresTimelineConcurrencyTests : IAsyncDisposable
{
    private const string G = "busy-guild";

    private readonly TimelineClients _clients = new("timeline_race");

    public ValueTask DisposeAsync() => _clients.DisposeAsync();

    [Fact]
    public async Task Two_drivers_committing_to_one_guild_write_a_gapless_log_that_folds_into_the_state()
    {
        var (first, second) = await _clients.TwoAsync();
        await first.Timelines.StartAsync(G);

        await Task.WhenAll(new[] { first, second }.SelectMany((state, client) => Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await state.RunTransactionAsync(async (tx, _) =>
                {
                    var total = await tx.GetAsync<int>(StateOwner.Guild(G), "total", CancellationToken.None);
                    await tx.SetAsync(StateOwner.Guild(G), "total", total.Value + 1, cancellationToken: CancellationToken.None);
                    await tx.SetAsync(StateOwner.Agent(G, $"c{client}w{w}"), $"k{i % 3}", i, cancellationToken: CancellationToken.None);
                });
            }
        }))));

        var folded = new Dictionary<(StateOwner, string), (string Value, long Version)>();
        var previous = 0L;
        await foreach (var entry in second.Timelines.ReadAsync(G))
        {
            Assert.Equal(previous + 1, entry.Sequence);
            previous = entry.Sequence;
            folded[(entry.Owner, entry.Key)] = (System.Text.Encoding.UTF8.GetString(entry.Value.Span), entry.Version);
        }

        Assert.Equal(2 * 4 * 40 * 2, previous);
        Assert.Equal(("320", 320L), folded[(StateOwner.Guild(G), "total")]);
        var live = new Dictionary<(StateOwner, string), (string Value, long Version)>();
        await foreach (var owner in first.Driver.ListOwnersAsync(Scope.Agent, CancellationToken.None))
        {
            await foreach (var record in first.Driver.ListAsync(owner, string.Empty, CancellationToken.None))
            {
                live[(owner, record.Key)] = (System.Text.Encoding.UTF8.GetString(record.Value.Span), record.Version);
            }
        }

        Assert.Equal(8 * 3, live.Count);
        Assert.All(live, pair => Assert.Equal(pair.Value, folded[pair.Key]));
    }

    [Fact]
    public async Task A_reader_tailing_entries_after_n_never_misses_one_that_commits_later()
    {
        var (first, second) = await _clients.TwoAsync();
        await first.Timelines.StartAsync(G);
        const int writers = 6;
        const int commits = 30;
        var expected = writers * commits + 2;

        // A transaction begun first and committed last is logged after the one that overtook it: sequences follow
        // commit order, so the reader below can never have seen the later one while the earlier one is still open.
        var early = await first.BeginTransactionAsync();
        await early.GetAsync<string>(StateOwner.Guild(G), "race");
        await early.SetAsync(StateOwner.Guild(G), "race", "begun first");
        await using (var late = await second.BeginTransactionAsync())
        {
            await late.SetAsync(StateOwner.Agent(G, "late"), "race", "committed first");
            await late.CommitAsync();
        }

        await early.CommitAsync();
        await early.DisposeAsync();

        var seen = new List<long>();
        var tail = Task.Run(async () =>
        {
            var after = 0L;
            while (after < expected)
            {
                await foreach (var entry in second.Timelines.ReadAsync(G, after))
                {
                    // Gapless from where the reader stands: skipping a sequence would lose that entry for good.
                    Assert.Equal(after + 1, entry.Sequence);
                    after = entry.Sequence;
                    seen.Add(after);
                }
            }
        });
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var state = w % 2 == 0 ? first : second;
            for (var i = 0; i < commits; i++)
            {
                await state.SetAsync(StateOwner.Agent(G, $"w{w}"), $"k{i}", i);
            }
        })).Append(tail));

        Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), seen);
        var entries = new List<TimelineEntry>();
        await foreach (var entry in first.Timelines.ReadAsync(G, 0))
        {
            entries.Add(entry);
        }

        Assert.Equal([(StateOwner.Agent(G, "late"), "race"), (StateOwner.Guild(G), "race")], entries.Take(2).Select(e => (e.Owner, e.Key)));
    }
}
