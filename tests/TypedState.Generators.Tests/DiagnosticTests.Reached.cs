using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// TSTATE1019: a type reached from a member without a state attribute that the generator cannot store, reported at
/// the member of the state type that reaches it (through any depth of reached types), with the reason.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string UnsupportedAdvice =
        "use a supported type or a class or struct of your own, or list it with [JsonSerializable] on a JsonSerializerContext given as SerializerContext";

    [Fact]
    public Task TSTATE1019_reached_types_that_cannot_be_stored() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public abstract class Step
        {
            public string Title { get; set; } = "";
        }

        public class Choice
        {
            public Choice(string label)
            {
                Label = label;
            }

            public Choice(int index)
            {
                Label = index.ToString();
            }

            public string Label { get; set; }
        }

        public class Frozen(string name)
        {
            public string Label { get; } = name;
        }

        public class Outer
        {
            public Inner Inner { get; set; } = new();
        }

        public class Inner
        {
            public object? Anything { get; set; }
        }

        [AgentState]
        public partial class Plan
        {
            public List<Step> {|#0:Steps|} { get; set; } = [];

            public Choice? {|#1:Choice|} { get; set; }

            public Frozen? {|#2:Frozen|} { get; set; }

            public Outer {|#3:Outer|} { get; set; } = new();
        }
        """,
        Expect(DiagnosticDescriptors.UnstorableReachedType, 0, "Steps", "Plan", "Step", "it is abstract (declare its derived types with [JsonDerivedType] to store them through it)"),
        Expect(DiagnosticDescriptors.UnstorableReachedType, 1, "Choice", "Plan", "Choice", "it has no public parameterless constructor and not exactly one public constructor; mark the one to use [JsonConstructor]"),
        Expect(DiagnosticDescriptors.UnstorableReachedType, 2, "Frozen", "Plan", "Frozen", "its constructor parameter 'name' has no stored property of the same name"),
        Expect(
            DiagnosticDescriptors.UnstorableReachedType,
            3,
            "Outer",
            "Plan",
            "Outer",
            "Member 'Inner' of 'Outer' reaches 'Inner', which the generator cannot store: Member 'Anything' of 'Inner' has type 'object?', which the generated serializer does not handle: " + UnsupportedAdvice));

    /// <summary>A get-only property no constructor parameter sets would be written and never read back.</summary>
    [Fact]
    public Task TSTATE1019_a_get_only_property_without_a_constructor_parameter() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Counter
        {
            public int Count { get; }

            public List<string> Names { get; set; } = [];
        }

        [AgentState]
        public partial class Stats
        {
            public Counter {|#0:Counter|} { get; set; } = new();
        }
        """,
        Expect(DiagnosticDescriptors.UnstorableReachedType, 0, "Counter", "Stats", "Counter", "its property 'Count' is get-only and no constructor parameter sets it; add a setter (init or private will do) or a constructor parameter"));
}
