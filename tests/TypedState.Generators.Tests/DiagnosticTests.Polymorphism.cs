using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Polymorphic reached types: what is stored (no diagnostic), TSTATE1020 for a listed derived type that cannot be
/// stored or does not derive from the base, and TSTATE1019 for the options the generated serializer does not honour and a base member clashing with the discriminator.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public Task Polymorphic_classes_and_interfaces_reached_from_members_are_stored() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
        [JsonDerivedType(typeof(Search), "search")]
        [JsonDerivedType(typeof(Run), 2)]
        [JsonDerivedType(typeof(Silent))]
        public abstract class Call
        {
            public string Id { get; set; } = "";
        }

        public sealed class Search : Call
        {
            public string Query { get; set; } = "";

            public List<Call> FollowUps { get; set; } = [];
        }

        public sealed class Run : Call
        {
            public int ExitCode { get; set; }
        }

        public sealed class Silent : Call
        {
        }

        [JsonDerivedType(typeof(Point), "point")]
        public interface IShape
        {
        }

        public struct Point : IShape
        {
            public int X { get; set; }
        }

        [JsonDerivedType(typeof(Note), "note")]
        [JsonDerivedType(typeof(Pinned), "pinned")]
        public class Note
        {
            public string Text { get; set; } = "";
        }

        public sealed class Pinned : Note
        {
            public int Rank { get; set; }
        }

        [AgentState]
        public partial class Log
        {
            public List<Call> Calls { get; set; } = [];

            public Dictionary<string, IShape> Shapes { get; set; } = [];

            public Note? Note { get; set; }
        }
        """);

    [Fact]
    public Task TSTATE1020_a_listed_type_that_does_not_derive_from_the_base_or_cannot_be_stored() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [JsonDerivedType(typeof(Unrelated), "unrelated")]
        public abstract class Call
        {
        }

        public sealed class Unrelated
        {
        }

        [JsonDerivedType(typeof(Choice), "choice")]
        public abstract class Step
        {
        }

        public sealed class Choice : Step
        {
            public Choice(string label) => Label = label;

            public Choice(int index) => Label = index.ToString();

            public string Label { get; set; }
        }

        [JsonDerivedType(typeof(Middle), "middle")]
        public abstract class Event
        {
        }

        public abstract class Middle : Event
        {
        }

        [JsonDerivedType(typeof(Holder), "holder")]
        public interface IItem
        {
        }

        public sealed class Holder : IItem
        {
            public object? Anything { get; set; }
        }

        [AgentState]
        public partial class Log
        {
            public List<Call> {|#0:Calls|} { get; set; } = [];

            public Step? {|#1:Step|} { get; set; }

            public Event[] {|#2:Events|} { get; set; } = [];

            public IItem? {|#3:Item|} { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.UnstorableDerivedType, 0, "Calls", "Log", "Call", "Unrelated", "it does not derive from 'Call'"),
        Expect(DiagnosticDescriptors.UnstorableDerivedType, 1, "Step", "Log", "Step", "Choice", "it has no public parameterless constructor and not exactly one public constructor; mark the one to use [JsonConstructor]"),
        Expect(DiagnosticDescriptors.UnstorableDerivedType, 2, "Events", "Log", "Event", "Middle", "it is abstract (an instance is never of exactly that type)"),
        Expect(
            DiagnosticDescriptors.UnstorableDerivedType,
            3,
            "Item",
            "Log",
            "IItem",
            "Holder",
            "Member 'Anything' of 'Holder' has type 'object?', which the generated serializer does not handle: " + UnsupportedAdvice));

    [Fact]
    public Task TSTATE1019_polymorphism_options_the_generated_serializer_does_not_honour() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [JsonPolymorphic(UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FallBackToBaseType)]
        [JsonDerivedType(typeof(Run), "run")]
        public class Call
        {
        }

        public sealed class Run : Call
        {
        }

        [JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
        [JsonDerivedType(typeof(Sized), "sized")]
        public abstract class Shape
        {
        }

        public sealed class Sized : Shape
        {
            public string Kind { get; set; } = "";
        }

        [JsonDerivedType(typeof(SubTagged), "sub")]
        public class Tagged
        {
            [JsonPropertyName("$type")]
            public string Type { get; set; } = "";
        }

        public sealed class SubTagged : Tagged
        {
        }

        [AgentState]
        public partial class Log
        {
            public Call? {|#0:Call|} { get; set; }

            public Shape? {|#1:Shape|} { get; set; }

            public Tagged? {|#2:Tagged|} { get; set; }
        }
        """,
        Expect(
            DiagnosticDescriptors.UnstorableReachedType,
            0,
            "Call",
            "Log",
            "Call",
            "only UnknownDerivedTypeHandling.FailSerialization (the default) is supported: list every derived type that is stored with [JsonDerivedType]"),
        Expect(
            DiagnosticDescriptors.UnstorableDerivedType,
            1,
            "Shape",
            "Log",
            "Shape",
            "Sized",
            "its member 'Kind' has the JSON name of the discriminator property 'kind'; rename one (TypeDiscriminatorPropertyName or [JsonPropertyName])"),
        Expect(
            DiagnosticDescriptors.UnstorableReachedType,
            2,
            "Tagged",
            "Log",
            "Tagged",
            "its member 'Type' has the JSON name of the discriminator property '$type'; rename one (TypeDiscriminatorPropertyName or [JsonPropertyName])"));

    /// <summary>A polymorphic state part, abstract or not: its listed subclasses are stored (no TSTATE1018), an unrelated listed type is TSTATE1015.</summary>
    [Fact]
    public Task A_polymorphic_state_part_stores_its_listed_subclasses_and_refuses_unrelated_ones() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        [JsonDerivedType(typeof(ToolStep), "tool")]
        public partial class Step
        {
            public string Title { get; set; } = "";
        }

        public sealed class ToolStep : Step
        {
            public string Tool { get; set; } = "";
        }

        [StatePart]
        [JsonDerivedType(typeof(Tokens), 1)]
        public abstract partial class Budget
        {
            public bool Hard { get; set; }
        }

        public sealed class Tokens : Budget
        {
            public int Max { get; set; }
        }

        public sealed class Unrelated
        {
        }

        [StatePart]
        [JsonDerivedType(typeof(Unrelated), "unrelated")]
        public partial class {|#0:Note|}
        {
        }

        [AgentState]
        public partial class Plan
        {
            public List<Step> Steps { get; set; } = [];

            public Budget? Budget { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 0, "'Note'", "JsonDerivedType", "Note", "its derived type 'Unrelated' cannot be stored: it does not derive from 'Note'"));
}
