using TypedState.Analyzers.CodeFixes;
using static TypedState.Analyzers.Tests.Infrastructure.GeneratorFixHarness;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// The schema lock file's code fix, applied to what the real generator reports with the lock file as an additional
/// file: an added member (or a raised version) is TSTATE1031 at the member (or the type), and the fix writes the file
/// as the update command would; the fixed file leaves nothing to report.
/// </summary>
public sealed class SchemaLockFixTests
{
    private const string Before = """
        [AgentState(Key = "memory")]
        public partial class ChatMemory
        {
            public int Turns { get; set; }
        }
        """;

    private const string Locked = """
        {
          "$about": "The stored shape of each state type, checked at build time. Update: dotnet build -p:TypedStateUpdateLock=true (see docs/typed-state.md).",
          "agent/memory": {
            "turns": "int32",
            "$version": 1
          },
          "$format": 1
        }

        """;

    [Fact]
    public async Task An_added_member_is_fixed_by_adding_its_one_line_to_the_lock_file()
    {
        var added = Before.Replace("public int Turns { get; set; }", "public int Turns { get; set; }\n\n    public string Topic { get; set; } = \"\";", StringComparison.Ordinal);
        var (reported, fixedLock) = await FixLockAsync(new UpdateSchemaLockCodeFixProvider(), added, Locked, "TSTATE1031");

        Assert.Equal(["Topic"], reported);
        Assert.Equal(Locked.Replace("    \"turns\"", "    \"topic\": \"string\",\n    \"turns\"", StringComparison.Ordinal).ReplaceLineEndings("\n"), fixedLock);
        Assert.Empty((await FixLockAsync(new UpdateSchemaLockCodeFixProvider(), added, fixedLock!, "TSTATE1031")).Reported);
    }

    [Fact]
    public async Task A_raised_version_is_fixed_by_replacing_the_entry_at_the_old_version()
    {
        var raised = """
            using System.Text.Json.Nodes;

            [AgentState(Key = "memory", Version = 2)]
            public partial class ChatMemory
            {
                public long Count { get; set; }

                private static void MigrateV1ToV2(JsonObject state) => state["count"] = state["turns"]?.DeepClone();
            }
            """;
        var (reported, fixedLock) = await FixLockAsync(new UpdateSchemaLockCodeFixProvider(), raised, Locked, "TSTATE1031");

        Assert.Equal(["ChatMemory"], reported);
        Assert.Equal(Locked.Replace("\"turns\": \"int32\"", "\"count\": \"int64\"", StringComparison.Ordinal).Replace("\"$version\": 1", "\"$version\": 2", StringComparison.Ordinal).ReplaceLineEndings("\n"), fixedLock);
    }

    [Fact]
    public async Task Fix_all_writes_the_same_file_once_for_every_out_of_date_member()
    {
        var added = Before.Replace("public int Turns { get; set; }", "public int Turns { get; set; }\n\n    public string Topic { get; set; } = \"\";\n\n    public bool Done { get; set; }", StringComparison.Ordinal);
        var (reported, fixedLock) = await FixLockAsync(new UpdateSchemaLockCodeFixProvider(), added, Locked, "TSTATE1031", fixAll: true);

        Assert.Equal(["Topic", "Done"], reported);
        Assert.Equal(Locked.Replace("    \"turns\"", "    \"done\": \"boolean\",\n    \"topic\": \"string\",\n    \"turns\"", StringComparison.Ordinal).ReplaceLineEndings("\n"), fixedLock);
    }

    [Fact]
    public async Task A_breaking_change_is_no_out_of_date_warning_and_offers_no_fix()
    {
        var renamed = Before.Replace("Turns", "Rounds", StringComparison.Ordinal);
        Assert.Empty((await FixLockAsync(new UpdateSchemaLockCodeFixProvider(), renamed, Locked, "TSTATE1031")).Reported);
        var (reported, fixedLock) = await FixLockAsync(new UpdateSchemaLockCodeFixProvider(), renamed, Locked, "TSTATE1030");
        Assert.Equal(["Rounds"], reported);
        Assert.Null(fixedLock);
    }
}
