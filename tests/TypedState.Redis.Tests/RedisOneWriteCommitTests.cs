using StackExchange.Redis;
using TypedState.Redis;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.Redis;

/// <summary>
/// A commit of one set, delete or check runs a script of its own; a batch of more writes runs the general one. What the
/// conformance suite cannot see: that both leave the same names and values, that the one-write script is loaded again
/// after the server forgot its scripts, and that a commit it hands to the general script (a guild with a timeline) is
/// still applied once under its commit id.
/// </summary>
public sealed class RedisOneWriteCommitTests
{
    private static readonly StateOwner s_agent = StateOwner.Agent("g {1}", "a");
    private static readonly StateOwner s_guild = StateOwner.Guild("g {1}");

    [Fact]
    public async Task One_write_commits_leave_the_names_and_values_the_general_script_leaves()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("one-write-layout");
        var one = drivers.CreateDriver();
        var general = drivers.CreateDriver();
        StateWrite[] writes =
        [
            Set(s_agent, "k", null), Set(s_agent, "k", null), Set(s_agent, "k", 2), Delete(s_agent, "k", null),
            Set(s_agent, "k", null), Delete(s_agent, "missing", null), Check(s_agent, "k", 4), Set(s_agent, "k", 1),
            Set(s_agent, "k2", null), Delete(s_agent, "k", null), Set(s_guild, "plan", 0), Delete(s_guild, "plan", 1),
            Set(s_guild, "goal", null), Set(StateOwner.Global, "x", null), Delete(StateOwner.Global, "x", null),
        ];

        foreach (var write in writes)
        {
            var id = CommitId.New();
            var alone = await one.CommitAsync([write], [], id, CancellationToken.None);
            // A check of a key never written makes the batch one of two writes: the general script's.
            var batch = await general.CommitAsync([write, Check(write.Owner, "never written", 0)], [], id, CancellationToken.None);
            Assert.Equal(batch.Succeeded, alone.Succeeded);
            Assert.Equal(batch.Failure, alone.Failure);
            Assert.Equal(batch.ConflictIndex, alone.ConflictIndex);
            Assert.Equal(batch.ActualVersion, alone.ActualVersion);
            Assert.Equal(batch.Succeeded ? batch.Versions[0] : 0, alone.Succeeded ? alone.Versions[0] : 0);
        }

        var layout = await DumpAsync(drivers.Server, one.KeyPrefix);
        Assert.Equal(await DumpAsync(drivers.Server, general.KeyPrefix), layout);
        // Records, tombstones, owner and agent sets, commit ids: every kind of name a one-write commit makes.
        Assert.All(["}:r:agent:", "}:t:agent:", "}:i:agent:", "}:o:agent SortedSet", "}:o:guild SortedSet", "}:t:global ", "}:ga:guild:", "}:c:", "}:e Hash"], name => Assert.Contains(name, layout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_one_write_commit_after_the_server_forgot_its_scripts_is_applied_once_under_its_commit_id()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        await using var driver = new RedisStateDriver(new RedisStateDriverOptions { Configuration = server.Configuration, KeyPrefix = RedisTestServer.NewKeyPrefix("one-write-flush") });
        using var cancellable = new CancellationTokenSource();
        var id = CommitId.New();
        IReadOnlyList<StateWrite> set = [Set(s_agent, "k", null)];

        var first = await driver.CommitAsync(set, [], id, CancellationToken.None);
        await server.Connection.GetServers().Single().ScriptFlushAsync();
        var repeated = await driver.CommitAsync(set, [], id, CancellationToken.None);
        await server.Connection.GetServers().Single().ScriptFlushAsync();
        var again = await driver.CommitAsync(set, [], id, cancellable.Token);
        var next = await driver.CommitAsync(set, [], CommitId.New(), cancellable.Token);

        Assert.Equal([1L], first.Versions);
        Assert.Equal(first.Versions, repeated.Versions);
        Assert.Equal(first.Versions, again.Versions);
        Assert.Equal([2L], next.Versions);
        Assert.Equal(2, (await driver.ReadAsync(s_agent, "k", CancellationToken.None))!.Value.Version);
    }

    [Fact]
    public async Task A_one_write_commit_to_a_guild_with_a_timeline_repeated_under_its_commit_id_logs_once()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("one-write-timeline");
        var driver = drivers.CreateDriver();
        await driver.StartTimelineAsync(s_guild.GuildIdOrEmpty, CancellationToken.None);
        CommitId setId = CommitId.New(), deleteId = CommitId.New();

        var set = await driver.CommitAsync([Set(s_agent, "k", 0)], [], setId, CancellationToken.None);
        var setAgain = await driver.CommitAsync([Set(s_agent, "k", 0)], [], setId, CancellationToken.None);
        var delete = await driver.CommitAsync([Delete(s_agent, "k", 1)], [], deleteId, CancellationToken.None);
        var deleteAgain = await driver.CommitAsync([Delete(s_agent, "k", 1)], [], deleteId, CancellationToken.None);
        await driver.PauseAsync(s_guild.GuildIdOrEmpty, CancellationToken.None);
        var paused = await driver.CommitAsync([Set(s_guild, "plan", null)], [], CommitId.New(), CancellationToken.None);

        Assert.Equal([1L], set.Versions);
        Assert.Equal(set.Versions, setAgain.Versions);
        Assert.Equal([1L], delete.Versions);
        Assert.Equal(delete.Versions, deleteAgain.Versions);
        Assert.Equal(CommitFailure.Timeline, paused.Failure);
        var entries = new List<TimelineEntry>();
        await foreach (var entry in driver.ReadEntriesAsync(s_guild.GuildIdOrEmpty, 0, CancellationToken.None))
        {
            entries.Add(entry);
        }

        Assert.Equal([(setId.Value, TimelineEntryKind.Set), (deleteId.Value, TimelineEntryKind.Delete)], entries.Select(e => (e.CommitId, e.Kind)));
    }

    private static StateWrite Set(StateOwner owner, string key, long? expected) => new(owner, key, StateWriteKind.Set, "\"v\""u8.ToArray(), expected);

    private static StateWrite Delete(StateOwner owner, string key, long? expected) => new(owner, key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, expected);

    private static StateWrite Check(StateOwner owner, string key, long? expected) => new(owner, key, StateWriteKind.Check, ReadOnlyMemory<byte>.Empty, expected);

    /// <summary>
    /// Every name of a prefix (the prefix written as <c>P</c>) with its type and contents, sorted; a marker's epoch
    /// and a commit id's name and versions are left out (they differ by design: a batch of two answers two versions).
    /// </summary>
    private static async Task<string> DumpAsync(RedisTestServer server, string prefix)
    {
        var database = server.Connection.GetDatabase();
        var lines = new List<string>();
        await foreach (var key in server.Connection.GetServers().Single().KeysAsync(pattern: $"{{{prefix}[|}}]*"))
        {
            var name = ((string)key!).Replace(prefix, "P", StringComparison.Ordinal);
            var type = await database.KeyTypeAsync(key);
            var contents = type switch
            {
                RedisType.Hash => (await database.HashGetAllAsync(key)).Where(static f => f.Name != "epoch").Select(static f => $"{f.Name}={f.Value}"),
                RedisType.SortedSet => (await database.SortedSetRangeByRankWithScoresAsync(key)).Select(static e => $"{e.Element}:{e.Score}"),
                RedisType.Set => (await database.SetMembersAsync(key)).Select(static m => (string)m!),
                _ => [],
            };
            if (name.Contains(":c:", StringComparison.Ordinal))
            {
                name = name[..(name.IndexOf(":c:", StringComparison.Ordinal) + 3)];
            }

            lines.Add($"{name} {type} {string.Join(",", contents.Order(StringComparer.Ordinal))}");
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines).Replace("\0", "\\0", StringComparison.Ordinal);
    }
}
