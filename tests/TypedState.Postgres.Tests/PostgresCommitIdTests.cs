using System.Text;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// How the driver keeps commit ids (table <c>commit_ids</c>): only applied commits are remembered, for the configured
/// retention by the database clock, and expired ids are pruned a few at a time by later commits.
/// </summary>
public sealed class PostgresCommitIdTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Only_applied_commits_with_an_id_are_remembered_until_the_retention_ends()
    {
        var schema = _schemas.New("ids");
        var options = new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema, CommitIdRetention = TimeSpan.FromHours(1) };
        await using var state = new PostgresStateManager(options);
        var driver = state.Driver;
        var owner = StateOwner.Guild("g");

        var single = await driver.CommitAsync([Set(owner, "a", null)], [], CommitId.New(), CancellationToken.None);
        var batch = await driver.CommitAsync([Set(owner, "b", null), Set(StateOwner.Global, "c", null)], [], CommitId.New(), CancellationToken.None);
        var refusedSingle = await driver.CommitAsync([Set(owner, "a", 0)], [], CommitId.New(), CancellationToken.None);
        var refusedBatch = await driver.CommitAsync([Set(owner, "a", 0), Set(owner, "d", null)], [], CommitId.New(), CancellationToken.None);
        await driver.CommitAsync([Set(owner, "e", null)], [], CommitId.None, CancellationToken.None);
        await driver.CommitAsync([Set(owner, "f", null), Set(owner, "g", null)], [], CommitId.None, CancellationToken.None);

        Assert.True(single.Succeeded && batch.Succeeded);
        Assert.False(refusedSingle.Succeeded || refusedBatch.Succeeded);
        Assert.Equal("{1};{1,1}", await _server.ScalarAsync($"SELECT string_agg(versions::text, ';' ORDER BY cardinality(versions)) FROM \"{schema}\".commit_ids"));
        Assert.Equal(2L, await _server.ScalarAsync(
            $"SELECT count(*) FROM \"{schema}\".commit_ids WHERE expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes'"));
    }

    [Fact]
    public async Task Expired_ids_are_pruned_a_few_hundred_at_a_time_until_none_is_left_without_touching_live_ones()
    {
        var schema = _schemas.New("prune");
        await using (var setup = new PostgresStateManager(_server.ConnectionString, schema))
        {
            await setup.SetAsync(StateOwner.Global, "warm-up", 0);
        }

        await _server.ExecuteAsync(
            $"INSERT INTO \"{schema}\".commit_ids SELECT gen_random_uuid(), '{{1}}', now() - interval '1 hour' FROM generate_series(1, 600)");
        var live = (long)(await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".commit_ids WHERE expires_at > now()"))!;

        // A new driver prunes at its first commit with an id; a prune that found a full batch leaves the next commit
        // to prune again, one that did not waits a second (longer than these commits take).
        await using var state = new PostgresStateManager(_server.ConnectionString, schema);
        var expired = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", i);
            expired.Add((long)(await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".commit_ids WHERE expires_at <= now()"))!);
        }

        Assert.Equal([600L - PostgresSql.PruneLimit, 600L - (2 * PostgresSql.PruneLimit), 0L, 0L], expired);
        Assert.Equal(live + 4, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".commit_ids"));
        Assert.Contains($"LIMIT {PostgresSql.PruneLimit} ", new PostgresSql("s", PostgresValueStorage.Jsonb).PruneCommits, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(7 * 24 * 3600 * 1000.0 + 1)]
    public void A_commit_id_retention_outside_one_second_to_seven_days_is_refused(double milliseconds)
    {
        var options = new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, CommitIdRetention = TimeSpan.FromMilliseconds(milliseconds) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresStateDriver(options));

        Assert.Equal(nameof(PostgresStateDriverOptions.CommitIdRetention), error.ParamName);
    }

    [Fact]
    public void The_commit_id_retention_defaults_to_ten_minutes() =>
        Assert.Equal(TimeSpan.FromMinutes(10), new PostgresStateDriverOptions().CommitIdRetention);

    private static StateWrite Set(StateOwner owner, string key, long? expected) =>
        new(owner, key, StateWriteKind.Set, Encoding.UTF8.GetBytes("1"), expected);
}
