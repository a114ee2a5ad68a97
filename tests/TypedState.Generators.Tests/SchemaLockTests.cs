using System.Globalization;
using Microsoft.CodeAnalysis;
using static TypedState.Generators.Tests.Infrastructure.LockHarness;

namespace TypedState.Generators.Tests;

/// <summary>
/// The schema lock file: what it records, each breaking change reported at the member that made it (or the type), what
/// only leaves the file out of date, the update path and the version bump.
/// </summary>
public sealed class SchemaLockTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Nodes;
        using System.Text.Json.Serialization;
        using TypedState;

        namespace Demo;

        [AgentState(Key = "memory")]
        public partial class ChatMemory
        {
            public List<Turn> Turns { get; set; } = [];

            public int Count { get; set; }

            public string Language { get; set; } = "en";

            public Prefs Prefs { get; set; } = new();

            public Mood Mood { get; set; }

            public Dictionary<string, double> Scores { get; set; } = [];

            public List<ToolCall> Calls { get; set; } = [];
        }

        [GuildState]
        public partial class Board
        {
            public string Title { get; set; } = "";
        }

        public sealed class Turn
        {
            public Role Role { get; set; }

            public string Text { get; set; } = "";

            public DateTimeOffset? At { get; set; }
        }

        [JsonConverter(typeof(JsonStringEnumConverter<Role>))]
        public enum Role { User, Assistant }

        public enum Mood { Calm, Busy }

        public sealed class Prefs
        {
            public bool Brief { get; set; }
        }

        [JsonPolymorphic]
        [JsonDerivedType(typeof(WebSearch), "web_search")]
        public abstract class ToolCall
        {
            public string CallId { get; set; } = "";
        }

        public sealed class WebSearch : ToolCall
        {
            public string Query { get; set; } = "";
        }
        """;

    private const string Locked = """
        {
          "$about": "The stored shape of each state type, checked at build time. Update: dotnet build -p:TypedStateUpdateLock=true (see docs/typed-state.md).",
          "agent/memory": {
            "calls": "array",
            "calls[]": "polymorphic($type)",
            "calls[]<web_search>": "object",
            "calls[]<web_search>.callId": "string",
            "calls[]<web_search>.query": "string",
            "count": "int32",
            "language": "string",
            "mood": "enum-number",
            "prefs": "object",
            "prefs.brief": "boolean",
            "scores": "map",
            "scores{}": "float64",
            "turns": "array",
            "turns[]": "object",
            "turns[].at": "datetimeoffset?",
            "turns[].role": "enum-string",
            "turns[].text": "string",
            "$version": 1
          },
          "guild/Board": {
            "title": "string",
            "$version": 1
          },
          "$format": 1
        }

        """;

    [Fact]
    public void The_update_writes_one_sorted_line_per_member_path_with_the_version_last() =>
        Assert.Equal(Locked.ReplaceLineEndings("\n"), Update(Source));

    [Fact]
    public void Code_that_matches_its_lock_file_builds_without_a_diagnostic()
    {
        Assert.Empty(Run(Source, Locked).Diagnostics);
        Assert.Null(Run(Source, Locked).Proposal);
    }

    [Fact]
    public void A_project_without_a_lock_file_gets_no_diagnostic_and_no_emitted_lock() =>
        Assert.Equal((0, null), (Run(Source, null).Diagnostics.Length, Run(Source, null).Proposal));

    [Fact]
    public void A_removed_member_is_an_error_at_the_type_naming_the_member() =>
        AssertBreaking(Source.Replace("    public int Count { get; set; }\n", string.Empty), "ChatMemory", "the stored member 'count' (int32) is gone");

    [Fact]
    public void A_renamed_member_is_an_error_at_the_new_member_naming_the_old_name() =>
        AssertBreaking(Source.Replace("public int Count {", "public int Total {"), "Total", "'total' was stored as 'count'");

    [Fact]
    public void A_member_renamed_by_its_json_name_is_an_error_too() =>
        AssertBreaking(Source.Replace("public int Count {", "[JsonPropertyName(\"n\")] public int Count {"), "Count", "'n' was stored as 'count'");

    [Fact]
    public void A_retyped_member_is_an_error_at_the_member_naming_both_kinds() =>
        AssertBreaking(Source.Replace("public int Count {", "public string Count {").Replace("int Count { get; set; }", "string Count { get; set; } = \"\";"),
            "Count", "'count' was stored as int32 and is now string");

    [Fact]
    public void A_retyped_nested_member_is_an_error_at_the_state_type_member_that_reaches_it() =>
        AssertBreaking(Source.Replace("public string Text { get; set; } = \"\";", "public int Text { get; set; }"), "Turns", "'turns[].text' was stored as string and is now int32");

    [Fact]
    public void A_re_nested_member_is_an_error_at_the_member_that_now_holds_it()
    {
        var moved = Source
            .Replace("    public string Language { get; set; } = \"en\";\n", string.Empty)
            .Replace("public bool Brief { get; set; }", "public bool Brief { get; set; }\n\n    public string Language { get; set; } = \"en\";");
        AssertBreaking(moved, "Prefs", "'prefs.language' was stored at 'language'");
    }

    [Fact]
    public void A_changed_enum_representation_is_an_error_at_the_member() =>
        AssertBreaking(Source.Replace("public enum Mood", "[JsonConverter(typeof(JsonStringEnumConverter<Mood>))]\npublic enum Mood"),
            "Mood", "'mood' was stored as enum-number and is now enum-string");

    [Fact]
    public void A_changed_discriminator_is_an_error_at_the_member_holding_the_polymorphic_type() =>
        AssertBreaking(Source.Replace("\"web_search\")]", "\"search\")]"), "Calls", "'calls[]<search>' was stored as 'calls[]<web_search>'");

    [Fact]
    public void A_renamed_discriminator_property_is_an_error_at_the_member() =>
        AssertBreaking(Source.Replace("[JsonPolymorphic]", "[JsonPolymorphic(TypeDiscriminatorPropertyName = \"kind\")]"),
            "Calls", "'calls[]' was stored as polymorphic($type) and is now polymorphic(kind)");

    [Fact]
    public void A_member_made_nullable_no_more_is_an_error() =>
        AssertBreaking(Source.Replace("DateTimeOffset? At", "DateTimeOffset At"), "Turns", "'turns[].at' was stored as datetimeoffset? and is now datetimeoffset");

    [Fact]
    public void An_added_required_member_is_an_error_stored_records_lack_it() =>
        AssertBreaking(Source.Replace("public int Count { get; set; }", "public int Count { get; set; }\n\n    public required string Owner { get; set; }"),
            "Owner", "'owner' is required string, which the stored records may lack");

    [Fact]
    public void An_added_member_is_a_warning_at_it_and_the_update_adds_exactly_one_line()
    {
        var added = Source.Replace("public int Count { get; set; }", "public int Count { get; set; }\n\n    public int Errors { get; set; }");
        var diagnostic = Assert.Single(Run(added, Locked).Diagnostics);
        Assert.Equal(("TSTATE1031", DiagnosticSeverity.Warning, "Errors"), (diagnostic.Id, diagnostic.Severity, At(added, diagnostic)));
        Assert.Contains("'ChatMemory': 'errors' (int32) is not in the schema lock file", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var updated = Update(added, Locked);
        Assert.Equal(["+    \"errors\": \"int32\","], Diff(Locked.ReplaceLineEndings("\n"), updated));
        Assert.Empty(Run(added, updated).Diagnostics);
    }

    [Fact]
    public void A_widened_member_only_leaves_the_lock_file_out_of_date()
    {
        var widened = Source.Replace("public int Count {", "public long? Count {");
        var diagnostic = Assert.Single(Run(widened, Locked).Diagnostics);
        Assert.Equal(("TSTATE1031", "Count"), (diagnostic.Id, At(widened, diagnostic)));
        Assert.Equal(["-    \"count\": \"int32\",", "+    \"count\": \"int64?\","], Diff(Locked.ReplaceLineEndings("\n"), Update(widened, Locked)));
    }

    [Fact]
    public void A_raised_version_with_its_migration_step_replaces_the_entry_at_the_old_version()
    {
        var raised = Source
            .Replace("[AgentState(Key = \"memory\")]", "[AgentState(Key = \"memory\", Version = 2)]")
            .Replace("    public int Count { get; set; }\n", "    public int Total { get; set; }\n\n    private static void MigrateV1ToV2(JsonObject state) => state[\"total\"] = state[\"count\"]?.DeepClone();\n");
        var diagnostic = Assert.Single(Run(raised, Locked).Diagnostics);
        Assert.Equal(("TSTATE1031", "ChatMemory"), (diagnostic.Id, At(raised, diagnostic)));
        Assert.Contains("'ChatMemory' is at version 2, the schema lock file records version 1", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var updated = Update(raised, Locked);
        Assert.Equal(
            ["-    \"count\": \"int32\",", "-    \"$version\": 1", "+    \"total\": \"int32\",", "+    \"$version\": 2"],
            Diff(Locked.ReplaceLineEndings("\n"), updated).Where(l => !l.Contains("guild", StringComparison.Ordinal)));
        Assert.Empty(Run(raised, updated).Diagnostics);
    }

    [Fact]
    public void A_raised_version_without_its_migration_step_is_the_missing_step_error_alone()
    {
        var raised = Source.Replace("[AgentState(Key = \"memory\")]", "[AgentState(Key = \"memory\", Version = 2)]");
        Assert.Equal(["TSTATE1003"], Run(raised, Locked).Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void A_lowered_version_is_an_error_at_the_type()
    {
        var lowered = Locked.Replace("\"$version\": 1\n  },\n  \"guild", "\"$version\": 3\n  },\n  \"guild", StringComparison.Ordinal);
        var diagnostic = Assert.Single(Run(Source, lowered).Diagnostics);
        Assert.Equal(("TSTATE1032", DiagnosticSeverity.Error, "ChatMemory"), (diagnostic.Id, diagnostic.Severity, At(Source, diagnostic)));
    }

    [Fact]
    public void A_new_state_type_and_an_entry_without_a_type_leave_the_file_out_of_date()
    {
        var renamedKey = Source.Replace("[GuildState]", "[GuildState(Key = \"pinboard\")]");
        var diagnostics = Run(renamedKey, Locked).Diagnostics;
        Assert.Equal(["TSTATE1031", "TSTATE1031"], diagnostics.Select(d => d.Id));
        var entry = Assert.Single(diagnostics, d => d.Location.GetLineSpan().Path == LockPath);
        Assert.Equal(22, entry.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("entry 'guild/Board' (version 1) matches no state type", entry.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(diagnostics, d => d.GetMessage(CultureInfo.InvariantCulture).Contains("'Board' (guild/pinboard) is not in the schema lock file", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreadable_lock_file_is_an_error_in_it_and_the_update_writes_it_again()
    {
        var conflicted = Locked.Replace("  \"guild/Board\": {", "<<<<<<< HEAD\n  \"guild/Board\": {", StringComparison.Ordinal);
        var diagnostic = Assert.Single(Run(Source, conflicted).Diagnostics);
        Assert.Equal(("TSTATE1033", LockPath, 22), (diagnostic.Id, diagnostic.Location.GetLineSpan().Path, diagnostic.Location.GetLineSpan().StartLinePosition.Line));
        Assert.Equal(Locked.ReplaceLineEndings("\n"), Update(Source, conflicted));
    }

    [Fact]
    public void The_update_keeps_the_old_entry_of_a_breaking_change_and_still_reports_it()
    {
        var removed = Source.Replace("    public int Count { get; set; }\n", string.Empty).Replace("public string Title", "public int Pins { get; set; }\n\n    public string Title");
        var (diagnostics, proposal) = Run(removed, Locked, update: true);
        Assert.Equal(["TSTATE1030"], diagnostics.Select(d => d.Id));
        Assert.Equal(["+    \"pins\": \"int32\","], Diff(Locked.ReplaceLineEndings("\n"), proposal!));
    }

    [Fact]
    public void A_hand_formatted_lock_file_reads_the_same()
    {
        var compact = string.Join(" ", Locked.Split('\n').Select(l => l.Trim()));
        Assert.Empty(Run(Source, compact).Diagnostics);
    }

    [Fact]
    public void A_state_part_and_a_type_that_holds_itself_are_followed_once()
    {
        const string tree = """
            using System.Collections.Generic;
            using TypedState;

            namespace Demo;

            [AgentState(Key = "plan")]
            public partial class Plan
            {
                public Step Root { get; set; } = new();

                public Budget Budget { get; set; } = new();
            }

            public sealed class Step
            {
                public string Goal { get; set; } = "";

                public List<Step> Children { get; set; } = [];
            }

            [StatePart]
            public partial class Budget
            {
                public decimal Limit { get; set; }
            }
            """;
        var locked = Update(tree);
        Assert.Contains(
            "    \"budget\": \"object\",\n    \"budget.limit\": \"decimal\",\n    \"root\": \"object\",\n    \"root.children\": \"array\",\n    \"root.children[]\": \"object\",\n    \"root.goal\": \"string\",\n",
            locked,
            StringComparison.Ordinal);

        var retyped = tree.Replace("public decimal Limit", "public string Limit", StringComparison.Ordinal).Replace("Limit { get; set; }", "Limit { get; set; } = \"\";", StringComparison.Ordinal);
        var diagnostic = Assert.Single(Run(retyped, locked).Diagnostics);
        Assert.Equal(("TSTATE1030", "Budget"), (diagnostic.Id, At(retyped, diagnostic)));
        Assert.Contains("'budget.limit' was stored as decimal and is now string", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static void AssertBreaking(string changed, string at, string message)
    {
        var diagnostic = Assert.Single(Run(changed, Locked).Diagnostics);
        Assert.Equal(("TSTATE1030", DiagnosticSeverity.Error, at), (diagnostic.Id, diagnostic.Severity, At(changed, diagnostic)));
        Assert.Contains(message, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("still at version 1", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
