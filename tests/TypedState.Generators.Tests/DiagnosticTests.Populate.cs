using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Get-only collections are populated (the stored elements are added to the instance the type creates) when their
/// declared type can be added to, as System.Text.Json decides; the others stay TSTATE1013, and a Populate request the
/// generated reader would not honour is TSTATE1015.
/// </summary>
public sealed partial class DiagnosticTests
{
    private static string NotPopulatable(string type) =>
        $"it is a get-only collection of a type nothing can be added to ('{type}'); declare it as List<T>, HashSet<T>, Dictionary<TKey, TValue> or their ICollection<T>, IList<T>, ISet<T>, IDictionary<TKey, TValue> interfaces to have it populated, or give it a setter (init or private will do)";

    [Fact]
    public Task Get_only_lists_sets_and_dictionaries_are_populated_without_a_diagnostic() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Step
        {
            public string Title { get; set; } = "";

            public List<string> Notes { get; } = [];
        }

        [AgentState]
        public partial class Memory
        {
            public List<string> Topics { get; } = [];

            public IList<Step> Steps { get; } = new List<Step>();

            public ICollection<int> Seen { get; } = new List<int>();

            public HashSet<string> Tags { get; } = [];

            public ISet<Guid> Owners { get; } = new HashSet<Guid>();

            [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
            public Dictionary<string, int> Counts { get; } = [];

            public IDictionary<int, Step> ByOrder { get; } = new Dictionary<int, Step>();
        }
        """);

    [Fact]
    public Task TSTATE1013_for_get_only_collections_nothing_can_be_added_to() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [GuildState]
        public partial class Memory
        {
            public string[] {|#0:Names|} { get; } = [];

            public IReadOnlyList<string> {|#1:Topics|} { get; } = [];

            public IEnumerable<int> {|#2:Seen|} { get; } = [];

            public System.Collections.Immutable.ImmutableArray<string> {|#3:Frozen|} { get; } = [];

            public IReadOnlyDictionary<string, int> {|#4:Counts|} { get; } = new Dictionary<string, int>();
        }
        """,
        Expect(DiagnosticDescriptors.MemberNotStored, 0, "Names", "Memory", NotPopulatable("string[]")),
        Expect(DiagnosticDescriptors.MemberNotStored, 1, "Topics", "Memory", NotPopulatable("System.Collections.Generic.IReadOnlyList<string>")),
        Expect(DiagnosticDescriptors.MemberNotStored, 2, "Seen", "Memory", NotPopulatable("System.Collections.Generic.IEnumerable<int>")),
        Expect(DiagnosticDescriptors.MemberNotStored, 3, "Frozen", "Memory", NotPopulatable("System.Collections.Immutable.ImmutableArray<string>")),
        Expect(DiagnosticDescriptors.MemberNotStored, 4, "Counts", "Memory", NotPopulatable("System.Collections.Generic.IReadOnlyDictionary<string, int>")));

    [Fact]
    public Task TSTATE1015_for_a_Populate_request_on_a_member_with_a_setter_or_on_a_type() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [{|#0:JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)|}]
        [AgentState]
        public partial class Memory
        {
            [{|#1:JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)|}]
            public List<string> Topics { get; set; } = [];

            [JsonObjectCreationHandling(JsonObjectCreationHandling.Replace)]
            public List<string> Replaced { get; set; } = [];
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 0, "'Memory'", "JsonObjectCreationHandling", "Memory", "members with setters are replaced when read, not populated (get-only collections are always populated); remove the attribute"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 1, "Member 'Topics'", "JsonObjectCreationHandling", "Memory", "a member with a setter is replaced when read, not populated; remove the setter to have the collection populated (get-only collections always are), or remove the attribute"));

    [Fact]
    public Task TSTATE1019_for_a_reached_type_whose_get_only_collection_cannot_be_populated() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Step
        {
            public IReadOnlyList<string> Notes { get; } = [];
        }

        [AgentState]
        public partial class Plan
        {
            public List<Step> {|#0:Steps|} { get; set; } = [];
        }
        """,
        Expect(DiagnosticDescriptors.UnstorableReachedType, 0, "Steps", "Plan", "Step", "its property 'Notes' is get-only and no constructor parameter sets it; add a setter (init or private will do) or a constructor parameter"));
}
