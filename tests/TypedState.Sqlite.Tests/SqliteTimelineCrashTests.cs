using TypedState.Sqlite;
using Xunit.Abstractions;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// The timeline crash check (<see cref="TimelineCrashCheck"/>) on a SQLite file: a writer killed five times, the file
/// recovered and checked structurally before each reopening.
/// </summary>
public sealed class SqliteTimelineCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_writer_five_times_keeps_the_log_and_the_state_in_agreement_with_every_reported_commit()
    {
        using var temp = new TempDirectory();
        var connectionString = temp.ConnectionString();
        await TimelineCrashCheck.KillFiveTimesAsync(
            "sqlite|" + connectionString,
            () =>
            {
                SqliteFile.AssertIntact(connectionString);
                return new SqliteStateManager(connectionString);
            },
            output);
    }
}
