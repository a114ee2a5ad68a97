using TypedState.Analyzers.CodeFixes;
using static TypedState.Analyzers.Tests.Infrastructure.GeneratorFixHarness;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// Rule 6: code fixes for the generator's own diagnostics, applied to what the real generator reports: each fix one
/// diagnostic at a time and all at once, and the result compiles without the diagnostic.
/// </summary>
public sealed class GeneratorDiagnosticFixTests
{
    private const string NotPartial = """
        namespace Demo;

        /// <summary>Notes.</summary>
        [AgentState]
        public sealed class Notes
        {
            public int Count { get; set; }
        }

        [GuildState]
        class Board
        {
            public int Pins { get; set; }
        }
        """;

    private const string MadePartial = """
        namespace Demo;

        /// <summary>Notes.</summary>
        [AgentState]
        public sealed partial class Notes
        {
            public int Count { get; set; }
        }

        [GuildState]
        partial class Board
        {
            public int Pins { get; set; }
        }
        """;

    private const string GetOnly = """
        [AgentState]
        public partial class ChatMemory
        {
            public IReadOnlyList<string> Topics { get; } = [];
            public int Turns { get; }
            public int Count => Topics.Count;
            public int Field;
        }
        """;

    private const string PrivateSetters = """
        [AgentState]
        public partial class ChatMemory
        {
            public IReadOnlyList<string> Topics { get; private set; } = [];
            public int Turns { get; private set; }
            public int Count => Topics.Count;
            public int Field;
        }
        """;

    [Fact]
    public async Task The_generator_reports_the_types_that_are_not_partial_at_their_names()
    {
        Assert.Equal(["Notes", "Board"], await ReportedAsync(NotPartial, "TSTATE1001"));
        Assert.Empty(await ReportedAsync(MadePartial, "TSTATE1001"));
    }

    [Fact]
    public async Task A_state_type_that_is_not_partial_is_made_partial_with_its_comment_kept() =>
        Assert.Equal(MadePartial, await FixOneByOneAsync(new MakePartialCodeFixProvider(), NotPartial, "TSTATE1001"));

    [Fact]
    public async Task Fix_all_makes_every_state_type_of_the_document_partial() =>
        Assert.Equal(MadePartial, await FixAllAsync(new MakePartialCodeFixProvider(), NotPartial, "TSTATE1001"));

    [Fact]
    public async Task Get_only_auto_properties_get_a_private_setter_and_the_field_keeps_its_diagnostic()
    {
        Assert.Equal(["Topics", "Turns", "Field"], await ReportedAsync(GetOnly, "TSTATE1013"));
        var fixedAll = await FixAllAsync(new PrivateSetterCodeFixProvider(), GetOnly, "TSTATE1013");
        Assert.Equal(PrivateSetters, fixedAll);
        Assert.Equal(["Field"], await ReportedAsync(fixedAll, "TSTATE1013"));
    }

    [Fact]
    public async Task Missing_migration_steps_are_added_with_empty_bodies_after_the_existing_ones()
    {
        const string before = """
            using System.Text.Json.Nodes;

            [AgentState(Version = 4)]
            public partial class ChatMemory
            {
                public int Turns { get; set; }

                private static void MigrateV2ToV3(JsonObject state) => state.Remove("x");
            }
            """;
        Assert.Equal(["ChatMemory"], await ReportedAsync(before, "TSTATE1003"));
        var after = await FixOneByOneAsync(new MigrationStepCodeFixProvider(), before, "TSTATE1003");
        Assert.Equal(
            """
            using System.Text.Json.Nodes;

            [AgentState(Version = 4)]
            public partial class ChatMemory
            {
                public int Turns { get; set; }

                private static void MigrateV2ToV3(JsonObject state) => state.Remove("x");

                private static void MigrateV1ToV2(JsonObject state)
                {
                }

                private static void MigrateV3ToV4(JsonObject state)
                {
                }
            }
            """,
            after);
        Assert.Empty(await ReportedAsync(after, "TSTATE1003"));
    }
}
