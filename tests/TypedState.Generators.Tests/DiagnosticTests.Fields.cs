using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Fields and get-only properties are stored where System.Text.Json stores them: fields with [JsonInclude], get-only
/// members that a constructor parameter sets. The others stay errors (TSTATE1013), never silent loss.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public Task TSTATE1013_is_not_reported_for_included_fields_and_get_only_members_a_constructor_sets() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Run
        {
            public Run(string suite, string owner)
            {
                Suite = suite;
                Owner = owner;
            }

            public string Suite { get; }

            [JsonInclude]
            public readonly string Owner;

            [JsonInclude]
            public int Passed;
        }
        """);

    [Fact]
    public Task TSTATE1013_for_fields_without_JsonInclude_and_readonly_members_no_constructor_sets() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Run
        {
            public Run(string suite)
            {
                Suite = suite;
            }

            public string Suite { get; }

            public string {|#0:Label|} { get; } = "";

            [JsonInclude]
            public readonly int {|#1:Seed|};

            public int {|#2:Passed|};
        }
        """,
        Expect(DiagnosticDescriptors.MemberNotStored, 0, "Label", "Run", "it is a get-only auto-property"),
        Expect(DiagnosticDescriptors.MemberNotStored, 1, "Seed", "Run", "it is a readonly field that no constructor parameter sets"),
        Expect(DiagnosticDescriptors.MemberNotStored, 2, "Passed", "Run", "it is a field (System.Text.Json stores a public field only with [JsonInclude])"));
}
