using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Members that would silently not round-trip: members that are not stored (TSTATE1013), JSON names that collide (TSTATE1014)
/// and System.Text.Json attributes the generated serializer does not honour (TSTATE1015); and what stays silent.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public Task TSTATE1013_public_fields_and_get_only_auto_properties() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Memory
        {
            public IReadOnlyList<string> {|#0:Topics|} { get; } = new List<string>();

            public int {|#1:Limit|};

            public readonly string {|#2:Name|} = "";

            public int Turns { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.MemberNotStored, 0, "Topics", "Memory", NotPopulatable("System.Collections.Generic.IReadOnlyList<string>")),
        Expect(DiagnosticDescriptors.MemberNotStored, 1, "Limit", "Memory", "it is a field (System.Text.Json stores a public field only with [JsonInclude])"),
        Expect(DiagnosticDescriptors.MemberNotStored, 2, "Name", "Memory", "it is a field (System.Text.Json stores a public field only with [JsonInclude])"));

    [Fact]
    public Task TSTATE1013_members_of_a_plain_base_class() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Base
        {
            public string {|#0:Origin|} = "";

            public int {|#1:Seed|} { get; }

            public int {|#2:Hidden|} { get; private set; }

            public int Shared { get; protected set; }

            public int Initialized { get; init; }

            public int Twice => Shared * 2;

            public void Bump() => Hidden++;
        }

        [GuildState]
        public partial class Memory : Base
        {
            public int Turns { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.MemberNotStored, 0, "Origin", "Memory", "it is a field (System.Text.Json stores a public field only with [JsonInclude])"),
        Expect(DiagnosticDescriptors.MemberNotStored, 1, "Seed", "Memory", "it is a get-only auto-property"),
        Expect(DiagnosticDescriptors.MemberNotStored, 2, "Hidden", "Memory", "its setter is private to its base class 'Base'"));

    [Fact]
    public Task TSTATE1013_in_a_struct_part_and_for_a_field_ignored_only_when_null() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [StatePart]
        public partial struct Point
        {
            public int {|#0:X|};

            [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
            public string? {|#1:Label|};

            public int Y { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.MemberNotStored, 0, "X", "Point", "it is a field (System.Text.Json stores a public field only with [JsonInclude])"),
        Expect(DiagnosticDescriptors.MemberNotStored, 1, "Label", "Point", "it is a field (System.Text.Json stores a public field only with [JsonInclude])"));

    [Fact]
    public Task TSTATE1013_is_not_reported_for_computed_ignored_static_or_private_members() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [AgentState]
        public partial class Memory
        {
            public const int Max = 10;

            public static int Instances;

            private int _touched;

            [JsonIgnore]
            public int Cache;

            [JsonIgnore(Condition = JsonIgnoreCondition.Always)]
            public string Label = "";

            [JsonIgnore]
            public List<string> Scratch { get; } = new();

            public List<string> Items { get; set; } = [];

            public int Count => Items.Count;

            public bool IsEmpty
            {
                get { return Items.Count == 0 && _touched == 0; }
            }

            public string Summary => $"{Items.Count} items";

            public event EventHandler? Changed;

            public void Touch()
            {
                _touched++;
                Changed?.Invoke(this, EventArgs.Empty);
            }
        }

        [StatePart]
        public partial record struct Range(int Start, int End)
        {
            public int Length => End - Start;
        }
        """);

    [Fact]
    public Task TSTATE1014_two_names_that_differ_only_in_case() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [AgentState]
        public partial class Page
        {
            public string Url { get; set; } = "";

            public string {|#0:URL|} { get; set; } = "";

            [JsonPropertyName("Title")]
            public string Heading { get; set; } = "";

            public string {|#1:Title|} { get; set; } = "";
        }
        """,
        Expect(DiagnosticDescriptors.ConflictingJsonName, 0, "URL", "Page", "url", "which clashes with 'url' of member 'Url' (names are matched ignoring case when read)"),
        Expect(DiagnosticDescriptors.ConflictingJsonName, 1, "Title", "Page", "title", "which clashes with 'Title' of member 'Heading' (names are matched ignoring case when read)"));

    [Fact]
    public Task TSTATE1014_two_members_renamed_to_one_name_and_a_base_class_member() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public class Base
        {
            public string {|#1:Note|} { get; set; } = "";
        }

        [StatePart]
        public partial class Entry : Base
        {
            [JsonPropertyName("x")]
            public int First { get; set; }

            [JsonPropertyName("x")]
            public int {|#0:Second|} { get; set; }

            [JsonPropertyName("NOTE")]
            public string Remark { get; set; } = "";
        }
        """,
        Expect(DiagnosticDescriptors.ConflictingJsonName, 0, "Second", "Entry", "x", "which clashes with 'x' of member 'First' (names are matched ignoring case when read)"),
        Expect(DiagnosticDescriptors.ConflictingJsonName, 1, "Note", "Entry", "note", "which clashes with 'NOTE' of member 'Remark' (names are matched ignoring case when read)"));

    [Fact]
    public Task TSTATE1014_the_reserved_version_name() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        [GlobalState]
        public partial class Settings
        {
            [JsonPropertyName("$version")]
            public int {|#0:Version|} { get; set; }

            [JsonPropertyName("$Version")]
            public int {|#1:Revision|} { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.ConflictingJsonName, 0, "Version", "Settings", "$version", "which is reserved for the document's schema version ('$version')"),
        Expect(DiagnosticDescriptors.ConflictingJsonName, 1, "Revision", "Settings", "$Version", "which is reserved for the document's schema version ('$version')"));

    [Fact]
    public Task TSTATE1014_is_not_reported_for_distinct_names_or_members_that_are_not_stored() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [AgentState]
        public partial class Page
        {
            public string Url { get; set; } = "";

            [JsonIgnore]
            public string URL { get; set; } = "";

            public string UrlText => Url;

            public int Version { get; set; }

            [JsonPropertyName("version2")]
            public int Version2 { get; set; }

            [JsonPropertyName("$ver")]
            public int Ver { get; set; }

            [JsonPropertyName("url-list")]
            public List<string> Urls { get; set; } = [];
        }
        """);

    [Fact]
    public Task TSTATE1015_member_attributes_the_serializer_does_not_honour() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public sealed class Upper : JsonConverter<string>
        {
            public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!.ToUpperInvariant();

            public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToUpperInvariant());
        }

        public enum Mood
        {
            Calm,
            Angry,
        }

        [AgentState]
        public partial class Memory
        {
            [{|#0:JsonConverter(typeof(Upper))|}]
            public string Name { get; set; } = "";

            [{|#1:JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)|}]
            public int Turns { get; set; }

            [{|#2:JsonExtensionData|}]
            public Dictionary<string, string> Extra { get; set; } = [];

            [{|#3:JsonConverter(typeof(JsonStringEnumConverter))|}]
            public Mood Mood { get; set; }

            [{|#4:JsonConverter(typeof(JsonStringEnumConverter<Mood>))|}]
            public Mood? LastMood { get; set; }

            [{|#5:JsonInclude|}]
            private int Secret { get; set; }

            [{|#6:JsonInclude|}]
            internal string Shared = "";

            public int Reveal() => Secret + Shared.Length;
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 0, "Member 'Name'", "JsonConverter", "Memory", "remove it, or give the member a type that the JsonSerializerContext given as SerializerContext serializes (see TSTATE1006)"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 1, "Member 'Turns'", "JsonNumberHandling", "Memory", "numbers are written as JSON numbers and read from JSON numbers only; remove it, or give the member a type that the JsonSerializerContext given as SerializerContext serializes"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 2, "Member 'Extra'", "JsonExtensionData", "Memory", "properties that match no member are dropped, not collected; declare the members to store, or remove the attribute"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 3, "Member 'Mood'", "JsonConverter", "Memory", "put [JsonConverter(typeof(JsonStringEnumConverter))] on the enum 'Mood' instead, which the generated serializer honours"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 4, "Member 'LastMood'", "JsonConverter", "Memory", "put [JsonConverter(typeof(JsonStringEnumConverter))] on the enum 'Mood' instead, which the generated serializer honours"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 5, "Member 'Secret'", "JsonInclude", "Memory", NotPublic),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 6, "Member 'Shared'", "JsonInclude", "Memory", NotPublic));

    [Fact]
    public Task TSTATE1015_type_level_attributes_and_attributes_on_the_enums_a_member_writes() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public sealed class MoodConverter : JsonConverter<Mood>
        {
            public override Mood Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (Mood)reader.GetInt32();

            public override void Write(Utf8JsonWriter writer, Mood value, JsonSerializerOptions options) => writer.WriteNumberValue((int)value * 10);
        }

        [{|#0:JsonConverter(typeof(MoodConverter))|}]
        public enum Mood
        {
            Calm,
            Angry,
        }

        [{|#1:JsonConverter(typeof(JsonStringEnumConverter<Mood>))|}]
        public enum Level
        {
            Low,
            High,
        }

        [JsonConverter(typeof(JsonStringEnumConverter))]
        public enum Color
        {
            [{|#2:JsonStringEnumMemberName("dark-red")|}]
            DarkRed,
            Green,
        }

        [{|#3:JsonNumberHandling(JsonNumberHandling.WriteAsString)|}]
        [GlobalState]
        public partial class Settings
        {
            public Mood Mood { get; set; }

            public List<Level?> Levels { get; set; } = [];

            public Dictionary<string, Color[]> Palette { get; set; } = [];

            public Color Accent { get; set; }
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 0, "Enum 'Mood' (used by member 'Mood')", "JsonConverter", "Settings", EnumConverter),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 1, "Enum 'Level' (used by member 'Levels')", "JsonConverter", "Settings", EnumConverter),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 2, "Enum member 'Color.DarkRed' (used by member 'Palette')", "JsonStringEnumMemberName", "Settings", "enum values are written by their C# names; remove the attribute (renaming the enum member changes stored documents: migrate them)"),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 3, "'Settings'", "JsonNumberHandling", "Settings", "numbers are written as JSON numbers and read from JSON numbers only; remove the attribute"));

    [Fact]
    public Task TSTATE1015_a_converter_on_a_state_part() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public sealed class EntryConverter : JsonConverter<Entry>
        {
            public override Entry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new() { Text = reader.GetString() ?? "" };

            public override void Write(Utf8JsonWriter writer, Entry value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
        }

        [StatePart]
        [{|#0:JsonConverter(typeof(EntryConverter))|}]
        public partial class Entry
        {
            public string Text { get; set; } = "";
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 0, "'Entry'", "JsonConverter", "Entry", "the type is written by its generated serializer; remove the attribute"));

    [Fact]
    public Task TSTATE1015_polymorphism_attributes_on_a_state_type() => StateGeneratorTest.VerifyDiagnosticsAsync(
        Usings + """
        public sealed class Quote : Entry
        {
            public string Author { get; set; } = "";
        }

        [AgentState]
        [{|#0:JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")|}]
        [{|#1:JsonDerivedType(typeof(Quote), "quote")|}]
        public partial class Entry
        {
            public string Text { get; set; } = "";
        }
        """,
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 0, "'Entry'", "JsonPolymorphic", "Entry", Polymorphic),
        Expect(DiagnosticDescriptors.UnsupportedJsonAttribute, 1, "'Entry'", "JsonDerivedType", "Entry", Polymorphic));

    [Fact]
    public Task TSTATE1015_is_not_reported_for_the_attributes_the_serializer_honours_or_members_it_does_not_store() => StateGeneratorTest.VerifyDiagnosticsAsync(Usings + """
        [JsonConverter(typeof(JsonStringEnumConverter))]
        public enum Mood
        {
            Calm,
            VeryHappy,
        }

        [JsonConverter(typeof(JsonStringEnumConverter<Level>))]
        public enum Level
        {
            Low,
            High,
        }

        // Written as numbers: System.Text.Json ignores the member names too.
        public enum Color
        {
            [JsonStringEnumMemberName("dark-red")]
            DarkRed,
        }

        [AgentState]
        public partial class Memory
        {
            [JsonPropertyName("mood_now")]
            public Mood Mood { get; set; }

            public List<Level> Levels { get; set; } = [];

            public Color Color { get; set; }

            [JsonInclude]
            public int Hits { get; private set; }

            [JsonIgnore]
            [JsonConverter(typeof(JsonStringEnumConverter))]
            public Color Ignored { get; set; }

            [JsonIgnore]
            [JsonInclude]
            private int Hidden { get; set; }

            [JsonNumberHandling(JsonNumberHandling.WriteAsString)]
            public int Doubled => Hits * 2 + Hidden;

            public void Hit() => Hits++;
        }
        """);

    private const string Polymorphic =
        "a state type is not polymorphic (a derived instance would be stored as this type); make the polymorphic type a [StatePart] or a plain class held in a member, or remove the attribute";

    private const string NotPublic = "only public properties with a public getter are stored; make it one (the setter may be private), or remove the attribute";

    private const string EnumConverter = "enums are written as numbers, or as names with JsonStringEnumConverter; use [JsonConverter(typeof(JsonStringEnumConverter))], or remove the attribute";
}
