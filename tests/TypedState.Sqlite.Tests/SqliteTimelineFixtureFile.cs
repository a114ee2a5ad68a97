using System.Runtime.CompilerServices;
using TypedState.Sqlite;
using TypedState.Timeline;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// The checked-in database files of Data/: what they hold, and how they were written (<see cref="WriteAsync"/>).
/// <c>timeline-layout-4.sqlite</c> was written by storage layout 4 (commit 979f837) with the timeline part of
/// <see cref="WriteAsync"/>; <c>timeline-layout-5.sqlite</c> by layout 5, with the snapshots and pins too;
/// <c>timeline-layout-7.sqlite</c> by layout 7 (its logged commits keep their ids in their entries);
/// <c>timeline-layout-8.sqlite</c> by layout 8 (commit ids keyed in RFC 9562 byte order). A later
/// layout must upgrade them in place, and SqliteTimelineLayoutTests opens them with the current driver. To write the
/// current layout's file again (only when its content is to change, never for a new layout, which checks in a file of
/// its own): <c>TYPEDSTATE_WRITE_FIXTURES=1 dotnet test tests/TypedState.Sqlite.Tests --filter "FullyQualifiedName~The_fixture_writer"</c>
/// writes <c>timeline-layout-N.sqlite</c> for the current layout N into Data/ (check it in, and add a test opening it).
/// </summary>
internal static class SqliteTimelineFixtureFile
{
    public const string Layout4FileName = "timeline-layout-4.sqlite";

    public const string Layout5FileName = "timeline-layout-5.sqlite";

    public const string Layout7FileName = "timeline-layout-7.sqlite";

    public const string Layout8FileName = "timeline-layout-8.sqlite";

    /// <summary>The name of the current layout's file, which the writer writes (and checks in only when asked).</summary>
    public static string CurrentFileName => $"timeline-layout-{SqliteStorageLayoutTests.CurrentLayout}.sqlite";

    public const string GuildId = "fixture";

    public const string ForkId = "fixture-fork";

    public static StateOwner Guild => StateOwner.Guild(GuildId);

    public static StateOwner Agent => StateOwner.Agent(GuildId, "a1");

    /// <summary>The copy beside the test assembly (Data/ is copied to the output).</summary>
    public static string BuiltCopy(string fileName) => Path.Combine(AppContext.BaseDirectory, "Data", fileName);

    /// <summary>The current layout's file in the source tree.</summary>
    public static string SourceFile([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Data", CurrentFileName);

    /// <summary>
    /// Writes the fixture: guild "fixture" with a timeline of five entries (1 set plan v1, before the start; 2 set
    /// a1/notes; 3 set plan v2 and 4 append evt-1 in one transaction; 5 delete a1/notes) and its fork "fixture-fork"
    /// at 3, whose own entry 4 sets plan "fork". Layout 5 adds: snapshots of "fixture" at 3 and 5, a pin of
    /// "fixture" at 2 and one of "fixture-fork" at 4.
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

        await state.Timelines.SnapshotAsync(GuildId, 3);
        await state.Timelines.SnapshotAsync(GuildId, 5);
        await state.Timelines.PinAsync(GuildId, 2);
        await state.Timelines.PinAsync(ForkId, 4);
    }
}
