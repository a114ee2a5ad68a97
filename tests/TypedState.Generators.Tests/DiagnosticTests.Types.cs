using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Rules about a state type as a whole: members named like the generated ones (TSTATE1016), state types deriving from
/// state types (TSTATE1017), and types that use a part which gets no serializer: only the part's own diagnostic, never
/// compiler errors in generated code.
/// </summary>
public sealed partial class DiagnosticTests
{
    /// <summary>Only the signature counts, not the return type (the type is not generated, so no TrackedState here).</summary>
    [Fact]
    public Task TSTATE1016_members_named_like_the_generated_ones() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Notes
        {
            public int Count { get; set; }

            public string {|#0:StateSchema|} { get; set; } = "";

            public static int {|#1:LoadAsync|};

            public class {|#2:SaveAsync|}
            {
            }

            public static ValueTask<object> {|#3:UpdateAsync|}(IScopedStateOperations state, Func<Notes, Notes> change, CancellationToken token) =>
                throw new NotSupportedException();

            private int {|#4:__TypedState_Cache|} = 1;

            public int Peek() => __TypedState_Cache;
        }
        """,
        Expect(DiagnosticDescriptors.ReservedMemberName, 0, "StateSchema", "Notes", "the generated property 'StateSchema'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 1, "LoadAsync", "Notes", "the generated accessors named 'LoadAsync'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 2, "SaveAsync", "Notes", "the generated accessors named 'SaveAsync'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 3, "UpdateAsync", "Notes", "the generated accessor 'UpdateAsync(IScopedStateOperations, Func<Notes, Notes>, CancellationToken)'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 4, "__TypedState_Cache", "Notes", Reserved));

    [Fact]
    public Task TSTATE1016_accessors_of_each_scope_with_their_exact_signatures() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        using TypedState.Guilds;

        [AgentState]
        public partial struct Counter
        {
            public int Count { get; set; }

            public static ValueTask<object> {|#0:LoadAsync|}(AgentContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
        }

        [GuildState]
        public partial record Board
        {
            public int Count { get; init; }

            public static ValueTask<bool> {|#1:DeleteAsync|}(IStateOperations store, string guildId, long? expectedVersion, CancellationToken cancellationToken) => throw new NotSupportedException();

            public static ValueTask<object> {|#2:UpdateAsync|}(IStateOperations store, string guildId, Action<Board> change, CancellationToken cancellationToken) => throw new NotSupportedException();
        }

        [GlobalState]
        public partial class Settings
        {
            public int Count { get; set; }

            public static ValueTask<long> {|#3:SaveAsync|}(IStateOperations store, Settings value, long? expectedVersion, CancellationToken cancellationToken) => throw new NotSupportedException();
        }
        """,
        Expect(DiagnosticDescriptors.ReservedMemberName, 0, "LoadAsync", "Counter", "the generated accessor 'LoadAsync(AgentContext, CancellationToken)'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 1, "DeleteAsync", "Board", "the generated accessor 'DeleteAsync(IStateOperations, string, long?, CancellationToken)'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 2, "UpdateAsync", "Board", "the generated accessor 'UpdateAsync(IStateOperations, string, Action<Board>, CancellationToken)'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 3, "SaveAsync", "Settings", "the generated accessor 'SaveAsync(IStateOperations, Settings, long?, CancellationToken)'"));

    /// <summary>The generated members would hide them (CS0108 in generated code, an error with warnings as errors).</summary>
    [Fact]
    public Task TSTATE1016_members_of_a_plain_base_class() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Base
        {
            public static string {|#0:StateSchema|} => "base";

            protected static ValueTask<object> {|#1:LoadAsync|}(IScopedStateOperations state, CancellationToken cancellationToken) => throw new NotSupportedException();

            private static int DeleteAsync => 0;

            public static int Peek() => DeleteAsync;
        }

        [AgentState]
        public partial class Notes : Base
        {
            public int Count { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.ReservedMemberName, 0, "Base.StateSchema", "Notes", "the generated property 'StateSchema'"),
        Expect(DiagnosticDescriptors.ReservedMemberName, 1, "Base.LoadAsync", "Notes", "the generated accessor 'LoadAsync(IScopedStateOperations, CancellationToken)'"));

    [Fact]
    public Task TSTATE1016_the_reserved_prefix_in_a_part() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial class Entry
        {
            public int Count { get; set; }

            public static int {|#0:__TypedState_Name0|} => 0;
        }
        """,
        Expect(DiagnosticDescriptors.ReservedMemberName, 0, "__TypedState_Name0", "Entry", Reserved));

    [Fact]
    public Task TSTATE1016_is_not_reported_for_overloads_or_for_parts_that_have_no_accessors() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [AgentState]
        public partial class Notes
        {
            public int Count { get; set; }

            // Another signature: an overload beside the generated accessors.
            public static ValueTask<TrackedState<Notes>> LoadAsync(IScopedStateOperations state) => LoadAsync(state, CancellationToken.None);

            public static ValueTask<TrackedState<Notes>> UpdateAsync(IScopedStateOperations state, Action<Notes> change, bool retry) =>
                retry ? UpdateAsync(state, change, CancellationToken.None) : throw new NotSupportedException();

            public static void SaveAsync<T>(IScopedStateOperations state, T value, long? expectedVersion, CancellationToken cancellationToken) => throw new NotSupportedException();
        }

        [StatePart]
        public partial class Entry
        {
            public int Count { get; set; }

            public string StateSchema { get; set; } = "";

            public int LoadAsync { get; set; }

            public static void SaveAsync()
            {
            }
        }
        """);

    [Fact]
    public Task TSTATE1017_a_state_type_deriving_from_a_state_type() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Notes
        {
            public int Count { get; set; }
        }

        [AgentState(Key = "more-notes")]
        public partial class {|#0:MoreNotes|} : Notes
        {
            public int Extra { get; set; }
        }

        [GlobalState]
        public partial class Settings
        {
            public int Limit { get; set; }
        }

        public class {|#2:PlainSettings|} : Settings
        {
        }

        [GuildState]
        public partial class {|#1:GuildSettings|} : PlainSettings
        {
            public int Members { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.DerivesFromStateType, 0, "MoreNotes", "Notes", "AgentState"),
        Expect(DiagnosticDescriptors.DerivesFromStateType, 1, "GuildSettings", "Settings", "GlobalState"),
        Expect(DiagnosticDescriptors.SubclassOfStoredType, 2, "PlainSettings", "Settings"));

    /// <summary>
    /// It compiled, but a member of the base part's type holding a derived instance would be written as the base,
    /// silently dropping the derived members: parts derive from plain classes only, like state types.
    /// </summary>
    [Fact]
    public Task TSTATE1017_a_part_deriving_from_a_part_and_the_types_using_it_report_nothing_else() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial class Entry
        {
            public string Text { get; set; } = "";
        }

        [StatePart]
        public partial class {|#0:DatedEntry|} : Entry
        {
            public DateTimeOffset At { get; set; }
        }

        [AgentState]
        public partial class Journal
        {
            public List<Entry> Entries { get; set; } = [];

            public DatedEntry? Latest { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.DerivesFromStateType, 0, "DatedEntry", "Entry", "StatePart"));

    [Fact]
    public Task TSTATE1017_is_not_reported_for_a_plain_base_class() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        public abstract class Named
        {
            public string Name { get; set; } = "";
        }

        [StatePart]
        public partial class Entry : Named
        {
            public int Count { get; set; }
        }

        [AgentState]
        public partial class Notes : Named
        {
            public Entry? First { get; set; }
        }
        """);

    /// <summary>It used to add CS0311 in the generated code of every type that used the part.</summary>
    [Fact]
    public Task A_part_that_is_not_partial_gives_only_TSTATE1001_where_it_is_used() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public class {|#0:Entry|}
        {
            public string Text { get; set; } = "";
        }

        [StatePart]
        public struct {|#1:Point|}
        {
            public int X { get; set; }
        }

        [AgentState]
        public partial class Journal
        {
            public Entry? Latest { get; set; }

            public List<Entry> Entries { get; set; } = [];

            public Dictionary<string, Point?> Places { get; set; } = [];
        }

        [GuildState]
        public partial record Board(Entry Pinned);
        """,
        Expect(DiagnosticDescriptors.NotPartial, 0, "Entry", "StatePart"),
        Expect(DiagnosticDescriptors.NotPartial, 1, "Point", "StatePart"));

    [Fact]
    public Task A_part_with_errors_of_its_own_gives_only_those_where_it_is_used() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial class Entry
        {
            public object {|#0:Payload|} { get; set; } = new();
        }

        [StatePart]
        public partial class Page
        {
            public List<Entry> Entries { get; set; } = [];
        }

        [StatePart]
        public partial class Book
        {
            public Page[] Pages { get; set; } = [];

            public Book? Sequel { get; set; }
        }

        [AgentState]
        public partial class Library
        {
            public Dictionary<string, Book> Books { get; set; } = [];
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedMemberType, 0, "Payload", "Entry", "object"));

    [Fact]
    public Task Parts_that_refer_to_each_other_are_generated() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [StatePart]
        public partial class Node
        {
            public string Label { get; set; } = "";

            public List<Node> Children { get; set; } = [];

            public Edge? Out { get; set; }
        }

        [StatePart]
        public partial record Edge
        {
            public Node? Target { get; init; }
        }

        [AgentState]
        public partial class Graph
        {
            public Node Root { get; set; } = new();
        }
        """);

    private const string Reserved = "the names the generator reserves for its own members ('__TypedState_…')";
}
