using System.Diagnostics;
using System.Globalization;
using TypedState.Sqlite;
using Xunit.Abstractions;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// A writer process is killed with SIGKILL in the middle of a stream of multi-scope transactions. Reopening the
/// file must show every transaction it reported as committed, complete, and no transaction in part: each one
/// is all three of its records plus "last", or nothing. A second writer then resumes on the recovered file and
/// is killed in turn.
/// </summary>
public sealed class SqliteCrashDurabilityTests(ITestOutputHelper output)
{
    private const string GuildId = "guild-1";
    private const string AgentId = "agent-1";
    private const string LastKey = "last";
    private const string Prefix = "tx/";
    private const int SecondRoundCommits = 10;

    [Theory]
    [InlineData(20)]
    [InlineData(60)]
    [InlineData(120)]
    public async Task Killing_the_writer_keeps_every_reported_commit_and_no_partial_transaction(int killAfterCommits)
    {
        using var temp = new TempDirectory();
        var connectionString = temp.ConnectionString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var clock = Stopwatch.StartNew();

        // Round 1: a fresh file, transactions 1, 2, 3, ...
        var firstRound = await WorkerKills.RunAndKillAsync("transactions", connectionString, firstExpected: 1, killAfterCommits, timeout.Token);
        var killedAt = clock.Elapsed;
        var last = await VerifyAsync(connectionString, firstRound[^1]);
        output.WriteLine(
            $"kill after {killAfterCommits}: {firstRound.Count} reported, {last} on disk, " +
            $"killed at {killedAt.TotalMilliseconds:F0} ms, verified at {clock.Elapsed.TotalMilliseconds:F0} ms.");

        // Round 2: a new writer on the recovered file resumes right after the last transaction on disk (its
        // conditional writes also check every version the first writer left), and its own kill loses nothing either.
        var secondRound = await WorkerKills.RunAndKillAsync("transactions", connectionString, firstExpected: last + 1, SecondRoundCommits, timeout.Token);
        var lastAfterRestart = await VerifyAsync(connectionString, secondRound[^1]);
        output.WriteLine(
            $"restart: resumed at {last + 1}, {secondRound.Count} reported, {lastAfterRestart} on disk, " +
            $"done at {clock.Elapsed.TotalMilliseconds:F0} ms.");
    }

    /// <summary>
    /// Reopens the file and checks it holds exactly transactions 1..last, each complete, where last is the last
    /// reported one or (killed between commit and print) the one after it. Returns last.
    /// </summary>
    private static async Task<long> VerifyAsync(string connectionString, long lastReported)
    {
        // Recovery from the WAL happens on open; the file must come out structurally sound.
        SqliteFile.AssertIntact(connectionString);

        await using var manager = new SqliteStateManager(connectionString);

        var agent = await ListTransactionsAsync(manager, StateOwner.Agent(GuildId, AgentId), "a");
        var guild = await ListTransactionsAsync(manager, StateOwner.Guild(GuildId), "b");
        var global = await ListTransactionsAsync(manager, StateOwner.Global, "c");

        // No partial transaction: the three scopes hold exactly the same transactions.
        var partial = agent.Union(guild).Union(global).Where(n => !(agent.Contains(n) && guild.Contains(n) && global.Contains(n))).Order().ToList();
        if (partial.Count > 0)
        {
            Assert.Fail(
                "Partially applied transactions: " +
                string.Join("; ", partial.Select(n => $"{n} (agent {Has(agent, n)}, guild {Has(guild, n)}, global {Has(global, n)})")));
        }

        // "last" names the newest transaction on disk and is written once per transaction. The kill can land after
        // a commit and before its line was printed, so the store may hold exactly one transaction more than was
        // reported, never fewer and never two more.
        var last = await manager.GetAsync<long>(StateOwner.Global, LastKey);
        Assert.True(last.Exists, "The \"last\" record is missing.");
        Assert.InRange(last.Value, lastReported, lastReported + 1);
        Assert.Equal(last.Value, last.Version);

        // Transactions 1..last, all of them, and nothing beyond.
        var expected = Enumerable.Range(1, (int)last.Value).Select(n => (long)n).ToList();
        var missing = expected.Except(agent).ToList();
        var extra = agent.Except(expected).ToList();
        Assert.True(
            missing.Count == 0 && extra.Count == 0,
            $"With \"last\" = {last.Value} (last reported {lastReported}): missing transactions [{string.Join(", ", missing)}], " +
            $"transactions beyond last [{string.Join(", ", extra)}].");
        return last.Value;
    }

    private static string Has(List<long> numbers, long n) => numbers.Contains(n) ? "present" : "absent";

    /// <summary>
    /// The transaction numbers of an owner's "tx/N/part" records, sorted, after checking each record's value is
    /// "N/part" and that it was written exactly once (version 1).
    /// </summary>
    private static async Task<List<long>> ListTransactionsAsync(SqliteStateManager manager, StateOwner owner, string part)
    {
        var numbers = new List<long>();
        await foreach (var entry in manager.ListAsync<string>(owner, Prefix))
        {
            var segments = entry.Key.Split('/');
            Assert.True(segments.Length == 3 && segments[2] == part, $"Unexpected key \"{entry.Key}\" in {owner}.");
            var n = long.Parse(segments[1], NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.Equal($"{segments[1]}/{part}", entry.Value);
            Assert.Equal(1, entry.Version);
            numbers.Add(n);
        }

        numbers.Sort();
        return numbers;
    }
}
