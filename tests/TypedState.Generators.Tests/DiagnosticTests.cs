using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Every generator diagnostic (TSTATE1001–TSTATE1017) with its exact location (markup <c>{|#n:…|}</c>) and message
/// arguments. The test fails on any other diagnostic, compiler warnings included. The rules about stored members
/// (TSTATE1013–TSTATE1015) are in DiagnosticTests.Members.cs, those about the type as a whole (TSTATE1016, TSTATE1017, parts that
/// are not generated) in DiagnosticTests.Types.cs.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Text.Json.Nodes;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedState;

        namespace Demo;

        """;

    [Fact]
    public Task A_valid_state_type_reports_nothing() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [AgentState(Version = 2, Key = "notes")]
        public partial class Notes
        {
            public List<string> Items { get; set; } = [];

            private static void MigrateV1ToV2(JsonObject state) => state["items"] ??= new JsonArray();
        }
        """);

    [Theory]
    [InlineData("AgentState")]
    [InlineData("GuildState")]
    [InlineData("GlobalState")]
    [InlineData("StatePart")]
    public Task TSTATE1001_a_type_that_is_not_partial(string attribute) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [{{attribute}}]
        public class {|#0:Notes|}
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.NotPartial, 0, "Notes", attribute));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public Task TSTATE1002_a_version_below_1(int version) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [{|#0:AgentState(Version = {{version}})|}]
        public partial class Notes
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidVersion, 0, "Notes", version.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public Task TSTATE1003_a_missing_migration_step() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState(Version = 3)]
        public partial class {|#0:Notes|}
        {
            public int Count { get; set; }

            private static void MigrateV1ToV2(JsonObject state)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.MissingMigration, 0, "Notes", "3", MissingStep(2)));

    /// <summary>One diagnostic per type, quickly, also for a date as the version (not one per missing step, twenty million of them).</summary>
    [Theory]
    [InlineData(4, "2 migration steps (MigrateV1ToV2, MigrateV3ToV4)")]
    [InlineData(20250101, "20250099 migration steps (MigrateV1ToV2, MigrateV3ToV4, MigrateV4ToV5 and 20250096 more)")]
    public Task TSTATE1003_once_per_type_naming_the_first_missing_steps_and_the_count(int version, string missing) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [GuildState(Version = {{version}})]
        public partial class {|#0:Notes|}
        {
            public int Count { get; set; }

            private static void MigrateV2ToV3(JsonObject state)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.MissingMigration, 0, "Notes", version.ToString(System.Globalization.CultureInfo.InvariantCulture), MissingSteps(missing)));

    /// <summary>A partial method without an implementation is removed by the compiler: the step does not exist (it was CS0762 in generated code).</summary>
    [Fact]
    public Task TSTATE1003_a_partial_migration_step_without_an_implementation() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState(Version = 2)]
        public partial class Notes
        {
            public int Count { get; set; }

            static partial void {|#0:MigrateV1ToV2|}(JsonObject state);
        }
        """,
        Expect(
            DiagnosticDescriptors.MissingMigration,
            0,
            "Notes",
            "2",
            "its migration step 'MigrateV1ToV2' is a partial method without an implementation, which the compiler removes: give it a body"));

    [Fact]
    public Task TSTATE1003_a_partial_migration_step_without_an_implementation_among_other_gaps() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState(Version = 3)]
        public partial class {|#0:Notes|}
        {
            public int Count { get; set; }

            static partial void MigrateV1ToV2(JsonObject state);
        }
        """,
        Expect(DiagnosticDescriptors.MissingMigration, 0, "Notes", "3", MissingSteps("2 migration steps (MigrateV1ToV2 (a partial method without an implementation), MigrateV2ToV3)")));

    [Fact]
    public Task TSTATE1003_is_not_reported_for_partial_migration_steps_with_implementations() => StateGeneratorTest.VerifyDiagnosticsAsync(
        [
            Usings + """
            [AgentState(Version = 3)]
            public partial class Notes
            {
                public int Count { get; set; }

                static partial void MigrateV1ToV2(JsonObject state);

                private static partial void MigrateV2ToV3(JsonObject state);
            }
            """,
            Usings + """
            public partial class Notes
            {
                static partial void MigrateV1ToV2(JsonObject state) => state["count"] = 0;

                private static partial void MigrateV2ToV3(JsonObject state)
                {
                }
            }
            """,
        ]);

    [Fact]
    public Task TSTATE1004_two_overloads_of_one_migration_step() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState(Version = 2)]
        public partial class Notes
        {
            public int Count { get; set; }

            private static void MigrateV1ToV2(JsonObject state)
            {
            }

            private static void {|#0:MigrateV1ToV2|}(JsonObject state, int extra)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.DuplicateMigration, 0, "Notes", "MigrateV1ToV2"));

    [Fact]
    public Task TSTATE1005_two_types_of_one_scope_with_one_key() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState(Key = "notes")]
        public partial class Notes
        {
            public int Count { get; set; }
        }

        [AgentState(Key = "notes")]
        public partial class {|#0:Jottings|}
        {
            public string Text { get; set; } = "";
        }
        """,
        Expect(DiagnosticDescriptors.DuplicateKey, 0, "Agent", "notes", "Jottings", "Demo.Notes"));

    [Fact]
    public Task TSTATE1005_two_types_of_one_scope_with_one_name_in_two_namespaces_and_files() => StateGeneratorTest.VerifyDiagnosticsAsync(
        [
            """
            using TypedState;

            namespace Demo.Billing;

            [GlobalState]
            public partial class Limits
            {
                public int Max { get; set; }
            }
            """,
            """
            using TypedState;

            namespace Demo.Search;

            [GlobalState]
            public partial class {|#0:Limits|}
            {
                public int Max { get; set; }
            }
            """,
        ],
        Expect(DiagnosticDescriptors.DuplicateKey, 0, "Global", "Limits", "Limits", "Demo.Billing.Limits"));

    [Fact]
    public Task TSTATE1005_is_not_reported_for_one_key_in_different_scopes() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [AgentState(Key = "shared")]
        public partial class AgentNotes
        {
            public int Count { get; set; }
        }

        [GuildState(Key = "shared")]
        public partial class GuildNotes
        {
            public int Count { get; set; }
        }

        [GlobalState(Key = "shared")]
        public partial class GlobalNotes
        {
            public int Count { get; set; }
        }
        """);

    [Fact]
    public Task TSTATE1006_member_types_the_serializer_does_not_handle() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public abstract class Shape
        {
            public int Sides { get; set; }
        }

        [AgentState]
        public partial class Bag
        {
            public object {|#0:Anything|} { get; set; } = new();

            public System.Numerics.BigInteger {|#1:Big|} { get; set; }

            public List<object> {|#2:Items|} { get; set; } = [];

            public Dictionary<double, string> {|#3:ByNumber|} { get; set; } = new();

            public IDisposable? {|#4:Handle|} { get; set; }

            public int[,] {|#5:Grid|} { get; set; } = new int[0, 0];
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 0, "Anything", "Bag", "object"),
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 1, "Big", "Bag", "System.Numerics.BigInteger"),
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 2, "Items", "Bag", "System.Collections.Generic.List<object>"),
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 3, "ByNumber", "Bag", "System.Collections.Generic.Dictionary<double, string>"),
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 4, "Handle", "Bag", "System.IDisposable?"),
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 5, "Grid", "Bag", "int[*,*]"));

    [Fact]
    public Task TSTATE1006_in_a_state_part() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial record Entry
        {
            public object? {|#0:Payload|} { get; init; }
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 0, "Payload", "Entry", "object?"));

    [Fact]
    public Task TSTATE1007_a_nested_type() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public partial class Outer
        {
            [AgentState]
            public partial class {|#0:Inner|}
            {
                public int Count { get; set; }
            }
        }
        """,
        Expect(DiagnosticDescriptors.NestedOrGeneric, 0, "Inner", "nested in 'Outer'"));

    [Fact]
    public Task TSTATE1007_a_generic_type() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial class {|#0:Box|}<T>
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.NestedOrGeneric, 0, "Box", "generic"));

    [Theory]
    [InlineData("[AgentState, GuildState]")]
    [InlineData("[GlobalState]\n[StatePart]")]
    [InlineData("[StatePart, AgentState(Version = 2), GlobalState]")]
    public Task TSTATE1008_two_scope_attributes_reported_once(string attributes) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        {{attributes}}
        public partial class {|#0:Both|}
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.MultipleScopes, 0, "Both"));

    [Fact]
    public Task TSTATE1009_a_migration_step_that_is_not_static() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState(Version = 2)]
        public partial class {|#1:Notes|}
        {
            public int Count { get; set; }

            private void {|#0:MigrateV1ToV2|}(JsonObject state)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidMigration, 0, "MigrateV1ToV2", "Notes", "must be declared 'static void MigrateV1ToV2(System.Text.Json.Nodes.JsonObject state)'"),
        Expect(DiagnosticDescriptors.MissingMigration, 1, "Notes", "2", MissingStep(1)));

    [Theory]
    [InlineData("JsonNode state")]
    [InlineData("ref JsonObject state")]
    [InlineData("JsonObject state, int extra")]
    [InlineData("")]
    public Task TSTATE1009_a_migration_step_with_the_wrong_parameters(string parameters) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [AgentState(Version = 2)]
        public partial class {|#1:Notes|}
        {
            public int Count { get; set; }

            private static void {|#0:MigrateV1ToV2|}({{parameters}})
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidMigration, 0, "MigrateV1ToV2", "Notes", "must be declared 'static void MigrateV1ToV2(System.Text.Json.Nodes.JsonObject state)'"),
        Expect(DiagnosticDescriptors.MissingMigration, 1, "Notes", "2", MissingStep(1)));

    [Fact]
    public Task TSTATE1009_a_migration_step_that_returns_a_value() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Notes
        {
            public int Count { get; set; }

            private static JsonObject {|#0:MigrateV1ToV2|}(JsonObject state) => state;
        }
        """,
        Expect(DiagnosticDescriptors.InvalidMigration, 0, "MigrateV1ToV2", "Notes", "must be declared 'static void MigrateV1ToV2(System.Text.Json.Nodes.JsonObject state)'"));

    [Theory]
    [InlineData("MigrateV1ToV3")]
    [InlineData("MigrateV0ToV1")]
    [InlineData("MigrateV2ToV1")]
    public Task TSTATE1009_a_migration_step_that_skips_or_reverses_versions(string name) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [GlobalState]
        public partial class Notes
        {
            public int Count { get; set; }

            private static void {|#0:{{name}}|}(JsonObject state)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidMigration, 0, name, "Notes", "must go from one version to the next (MigrateV{n}ToV{n+1}, n at least 1)"));

    /// <summary>
    /// The schema names steps canonically, so MigrateV01ToV02 would name a method that does not exist (it was CS0103 in
    /// generated code); beside the canonical step it is not a second one (TSTATE1004) either.
    /// </summary>
    [Theory]
    [InlineData("MigrateV01ToV02", "MigrateV1ToV2")]
    [InlineData("MigrateV1ToV02", "MigrateV1ToV2")]
    [InlineData("MigrateV002ToV3", "MigrateV2ToV3")]
    public Task TSTATE1009_a_migration_step_with_leading_zeros(string name, string canonical) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [AgentState(Version = 3)]
        public partial class Notes
        {
            public int Count { get; set; }

            private static void MigrateV1ToV2(JsonObject state)
            {
            }

            private static void MigrateV2ToV3(JsonObject state)
            {
            }

            private static void {|#0:{{name}}|}(JsonObject state)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidMigration, 0, name, "Notes", $"writes a version with leading zeros: name it '{canonical}'"));

    [Fact]
    public Task TSTATE1009_a_migration_step_beyond_the_version() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [GuildState(Version = 2)]
        public partial class Notes
        {
            public int Count { get; set; }

            private static void MigrateV1ToV2(JsonObject state)
            {
            }

            private static void {|#0:MigrateV2ToV3|}(JsonObject state)
            {
            }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidMigration, 0, "MigrateV2ToV3", "Notes", "goes beyond Version = 2: raise Version or remove the step"));

    [Fact]
    public Task TSTATE1010_an_abstract_type() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public abstract partial class {|#0:Notes|}
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.NoConstructor, 0, "Notes", "it is abstract"));

    [Fact]
    public Task TSTATE1010_a_primary_constructor_parameter_without_a_property() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Notes(int {|#0:seed|}, string title)
        {
            public int Count { get; set; } = seed;

            public string Title { get; set; } = title;
        }
        """,
        Expect(DiagnosticDescriptors.NoConstructor, 0, "Notes", "primary constructor parameter 'seed' has no serialized property of the same name"));

    [Fact]
    public Task TSTATE1010_a_ref_struct() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public ref partial struct {|#0:Span|}
        {
            public int Start { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.NoConstructor, 0, "Span", "it is a ref struct"));

    [Theory]
    [InlineData("\"\"", "it is empty")]
    [InlineData("\"a\\u0007b\"", "it contains the control character U+0007 at position 1")]
    [InlineData("\"line\\nbreak\"", "it contains the control character U+000A at position 4")]
    [InlineData("\"\\uD800x\"", "it contains an unpaired surrogate at position 0")]
    public Task TSTATE1011_an_invalid_key(string keyLiteral, string problem) => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [{|#0:GlobalState(Key = {{keyLiteral}})|}]
        public partial class Notes
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidKey, 0, "Notes", problem));

    [Fact]
    public Task TSTATE1011_a_key_longer_than_512_characters() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + $$"""
        [{|#0:AgentState(Key = "{{new string('k', 513)}}")|}]
        public partial class Notes
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidKey, 0, "Notes", "it is 513 characters long, the limit is 512"));

    [Fact]
    public Task TSTATE1011_is_not_reported_for_a_key_with_a_surrogate_pair_or_512_characters() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + $$"""
        [AgentState(Key = "notes-\uD83D\uDE00")]
        public partial class Notes
        {
            public int Count { get; set; }
        }

        [AgentState(Key = "{{new string('k', 512)}}")]
        public partial class LongNotes
        {
            public int Count { get; set; }
        }
        """);

    [Fact]
    public Task TSTATE1012_a_serializer_context_that_is_not_a_JsonSerializerContext() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public sealed class NotAContext
        {
        }

        [{|#0:AgentState(SerializerContext = typeof(NotAContext))|}]
        public partial class Notes
        {
            public int Count { get; set; }
        }

        [{|#1:StatePart(SerializerContext = typeof(string))|}]
        public partial class Entry
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.InvalidSerializerContext, 0, "NotAContext", "Notes"),
        Expect(DiagnosticDescriptors.InvalidSerializerContext, 1, "String", "Entry"));

    private static DiagnosticResult Expect(DiagnosticDescriptor descriptor, int markup, params string[] arguments) =>
        new DiagnosticResult(descriptor).WithLocation(markup).WithArguments(arguments);

    /// <summary>TSTATE1003's text for several missing steps, <paramref name="what"/> being "N migration steps (…)".</summary>
    private static string MissingSteps(string what) =>
        $"is missing {what}: declare each as 'static void MigrateV{{n}}ToV{{n+1}}(System.Text.Json.Nodes.JsonObject state)', with a body";

    /// <summary>TSTATE1003's text for one missing step from version <paramref name="from"/>.</summary>
    private static string MissingStep(int from) =>
        $"has no migration step from version {from}: declare 'static void MigrateV{from}ToV{from + 1}(System.Text.Json.Nodes.JsonObject state)'";
}
