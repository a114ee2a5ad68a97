using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// TSTATE1018: a class deriving from a stored type compiled and lost its own members when stored through the base (a
/// tool-call log in a <c>List&lt;Step&gt;</c>). Stored types are polymorphic only when a reached class declares it, so
/// each other such class is an error.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public Task TSTATE1018_subclasses_of_a_part_held_in_a_list_of_the_base() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial class Step
        {
            public string Title { get; set; } = "";
        }

        public class {|#0:ToolStep|} : Step
        {
            public string Tool { get; set; } = "";
        }

        public sealed class {|#1:RetriedToolStep|} : ToolStep
        {
            public int Attempts { get; set; }
        }

        [StatePart]
        public partial record Note(string Text);

        public record {|#2:PinnedNote|}(string Text, bool Pinned) : Note(Text);

        [AgentState]
        public partial class Plan
        {
            public List<Step> Steps { get; set; } = [];

            public Note? Pinned { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.SubclassOfStoredType, 0, "ToolStep", "Step"),
        Expect(DiagnosticDescriptors.SubclassOfStoredType, 1, "RetriedToolStep", "Step"),
        Expect(DiagnosticDescriptors.SubclassOfStoredType, 2, "PinnedNote", "Note"));

    /// <summary>
    /// A reached class is stored as its declared type too, so its subclasses are errors, unless it is polymorphic: then
    /// the listed ones are stored with their discriminators, and an unlisted one is refused when written.
    /// </summary>
    [Fact]
    public Task TSTATE1018_subclasses_of_a_reached_class_unless_it_is_polymorphic() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Step
        {
            public string Title { get; set; } = "";
        }

        public sealed class {|#0:ToolStep|} : Step
        {
            public string Tool { get; set; } = "";
        }

        [JsonDerivedType(typeof(Search), "search")]
        public abstract class Call
        {
        }

        public class Search : Call
        {
            public string Query { get; set; } = "";
        }

        public sealed class Unlisted : Call
        {
        }

        public sealed class {|#1:DeepSearch|} : Search
        {
        }

        [AgentState]
        public partial class Plan
        {
            public List<Step> Steps { get; set; } = [];

            public List<Call> Calls { get; set; } = [];
        }
        """,
        Expect(DiagnosticDescriptors.SubclassOfStoredType, 0, "ToolStep", "Step"),
        Expect(DiagnosticDescriptors.SubclassOfStoredType, 1, "DeepSearch", "Search"));

    /// <summary>Plain hierarchies, and plain bases of stored types, are none of the generator's business.</summary>
    [Fact]
    public Task TSTATE1018_is_not_reported_for_classes_deriving_from_plain_classes() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Entity
        {
            public string Id { get; set; } = "";
        }

        public class Customer : Entity
        {
        }

        [AgentState]
        public sealed partial class Memory : Entity
        {
            public List<string> Facts { get; set; } = [];
        }

        public class Helper : Exception
        {
        }
        """);
}
