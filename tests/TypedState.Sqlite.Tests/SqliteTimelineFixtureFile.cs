using System.Runtime.CompilerServices;
using TypedState.Sqlite;
using TypedState.Timeline;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// The checked-in database file Data/timeline-layout-4.sqlite, written by storage layout 4: what it holds, and how it
/// was written (<see cref="WriteAsync"/>). A later layout must upgrade it in place, and SqliteTimelineLayoutTests
/// opens it with the current driver. To write it again (only when its content is to change, never for a new layout):
/// <c>TYPEDSTATE_WRITE_FIXTURES=1 dotnet test tests/TypedState.Sqlite.Tests --filter "FullyQualifiedName~Writes_the_checked_in"</c>.
/// </summary>
internal static class SqliteTimelineFixtureFile
{
    public const string FileName = "timeline-layout-4.sqlite";

    public const string GuildId = "fixture";

    public const string ForkId = "fixture-fork";

    public static StateOwner Guild => StateOwner.Guild(GuildId);

    public static StateOwner Agent => StateOwner.Agent(GuildId, "a1");

    /// <summary>The copy beside the test assembly (Data/ is copied to the output).</summary>
    public static string BuiltCopy => Path.Combine(AppContext.BaseDirectory, "Data", FileName);

    /// <summary>The file in the source tree.</summary>
    public static string SourceFile([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Data", FileName);

    /// <summary>
    /// Writes the fixture: guild "fixture" with a timeline of five entries (1 set plan v1, before the start; 2 set
    /// a1/notes; 3 set plan v2 and 4 append evt-1 in one transaction; 5 delete a1/notes) and its fork "fixture-fork"
    /// at 3, whose own entry 4 sets plan "fork".
    /// </summary>
    public static async Task WriteAsync(string connectionString)
    {
        await using var state = new SqliteStateManager(connectionString);
        await state.SetAsync(Guild, "plan", "v1");
        await state.Timelines.StartAsync(GuildId);
        await state.SetAsync(Agent, "notes", "n1");
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Guild, "plan", "v2");
            tx.Append(Agent, "routed", "evt-1");
            await tx.CommitAsync();
        }

        await state.DeleteAsync(Agent, "notes");
        await state.Timelines.ForkAsync(GuildId, 3, ForkId);
        await state.SetAsync(StateOwner.Guild(ForkId), "plan", "fork");
    }
}
