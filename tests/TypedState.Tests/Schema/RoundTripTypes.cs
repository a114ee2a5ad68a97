using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.Tests.Schema;

/// <summary>A plain enum, written as a number.</summary>
public enum Color
{
    Red,
    Green,
    Blue,
}

/// <summary>An enum over <see cref="byte"/>.</summary>
public enum Tiny : byte
{
    None = 0,
    Some = 1,
    All = byte.MaxValue,
}

/// <summary>An enum over <see cref="ulong"/>, up to its maximum.</summary>
public enum Huge : ulong
{
    Zero = 0,
    Max = ulong.MaxValue,
}

/// <summary>An enum over <see cref="short"/> with negative members.</summary>
public enum Polarity : short
{
    Min = short.MinValue,
    Zero = 0,
    Max = short.MaxValue,
}

/// <summary>An enum over <see cref="long"/>.</summary>
public enum Wide : long
{
    Min = long.MinValue,
    One = 1,
    Max = long.MaxValue,
}

/// <summary>An enum written as its name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum Mood
{
    Calm,
    Angry,
    VeryHappy,
}

/// <summary>A flags enum written as its names.</summary>
[Flags]
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum Permissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Execute = 4,
    All = Read | Write | Execute,
}

/// <summary>A flags enum written as a number.</summary>
[Flags]
public enum Bits
{
    None = 0,
    A = 1,
    B = 2,
    C = 1 << 30,
}

/// <summary>A type the generator does not handle itself: served by <see cref="RoundTripJsonContext"/>.</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>The user's source-generated context for <see cref="Money"/>, with the store's web defaults.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Money))]
internal sealed partial class RoundTripJsonContext : JsonSerializerContext;

/// <summary>A class part.</summary>
[StatePart]
public partial class Address
{
    public string Street { get; set; } = "";

    public string? City { get; set; }

    public int? Zip { get; set; }

    public List<string> Lines { get; set; } = [];
}

/// <summary>A struct part.</summary>
[StatePart]
public partial struct Point
{
    public int X { get; set; }

    public int Y { get; set; }
}

/// <summary>A positional record part.</summary>
[StatePart]
public partial record Tag(string Name)
{
    public Color Color { get; init; }
}

/// <summary>A positional record struct part.</summary>
[StatePart]
public partial record struct Coordinates(double Lat, double Lon);

/// <summary>A part that holds other parts and a context-served type.</summary>
[StatePart(SerializerContext = typeof(RoundTripJsonContext))]
public partial class Shipment
{
    public Address? To { get; set; }

    public List<Point> Route { get; set; } = [];

    public Money? Cost { get; set; }
}

/// <summary>A state type with a member of every type the generator supports.</summary>
[AgentState(Key = "roundtrip/everything", SerializerContext = typeof(RoundTripJsonContext))]
public partial class Everything
{
    public bool Flag { get; set; }

    public byte U8 { get; set; }

    public sbyte I8 { get; set; }

    public short I16 { get; set; }

    public ushort U16 { get; set; }

    public int I32 { get; set; }

    public uint U32 { get; set; }

    public long I64 { get; set; }

    public ulong U64 { get; set; }

    public float F32 { get; set; }

    public double F64 { get; set; }

    public decimal Cash { get; set; }

    public char Letter { get; set; }

    public string Text { get; set; } = "";

    public string? MaybeText { get; set; }

    public Color Color { get; set; }

    public Tiny Tiny { get; set; }

    public Huge Huge { get; set; }

    public Polarity Polarity { get; set; }

    public Wide Wide { get; set; }

    public Mood Mood { get; set; }

    public Permissions Permissions { get; set; }

    public Bits Bits { get; set; }

    public bool? MaybeFlag { get; set; }

    public int? MaybeInt { get; set; }

    public ulong? MaybeU64 { get; set; }

    public double? MaybeDouble { get; set; }

    public decimal? MaybeMoney { get; set; }

    public char? MaybeChar { get; set; }

    public Color? MaybeColor { get; set; }

    public Mood? MaybeMood { get; set; }

    public DateTime? MaybeWhen { get; set; }

    public DateTimeOffset? MaybeOffset { get; set; }

    public TimeSpan? MaybeSpan { get; set; }

    public Guid? MaybeId { get; set; }

    public DateTime UtcTime { get; set; }

    public DateTime LocalTime { get; set; }

    public DateTime UnspecifiedTime { get; set; }

    public DateTimeOffset Offset { get; set; }

    public TimeSpan Span { get; set; }

    public Guid Id { get; set; }

    public byte[] Bytes { get; set; } = [];

    public byte[]? MaybeBytes { get; set; }

    public int[] Numbers { get; set; } = [];

    public string[]? Words { get; set; }

    public List<string> Names { get; set; } = [];

    public List<int?> Sparse { get; set; } = [];

    public IReadOnlyList<double> Readings { get; set; } = [];

    public HashSet<string> Labels { get; set; } = [];

    public Dictionary<string, int> Scores { get; set; } = [];

    public IReadOnlyDictionary<string, string?> Settings { get; set; } = new Dictionary<string, string?>();

    public Dictionary<string, List<int>> Groups { get; set; } = [];

    public List<Dictionary<string, long>> Layers { get; set; } = [];

    public List<byte[]> Blobs { get; set; } = [];

    public Mood[] Moods { get; set; } = [];

    public List<Permissions> PermissionList { get; set; } = [];

    public Dictionary<string, Color> Colors { get; set; } = [];

    public Address Home { get; set; } = new();

    public Address? Work { get; set; }

    public Point Origin { get; set; }

    public Point? MaybeOrigin { get; set; }

    public Tag Badge { get; set; } = new("none");

    public Coordinates Where { get; set; }

    public List<Address> Addresses { get; set; } = [];

    public Dictionary<string, Point> Places { get; set; } = [];

    public Tag[] Tags { get; set; } = [];

    public IReadOnlyDictionary<string, Tag> TagsByName { get; set; } = new Dictionary<string, Tag>();

    public List<Point?> MaybePoints { get; set; } = [];

    public List<List<Tag>> TagGrid { get; set; } = [];

    public Shipment? Shipment { get; set; }

    public Money Price { get; set; } = new(0m, "EUR");

    public Money? MaybePrice { get; set; }

    public List<Money> PriceHistory { get; set; } = [];
}

/// <summary>A positional record state type with init-only members.</summary>
[AgentState(Key = "roundtrip/profile")]
public partial record Profile(string Name, int Age, Address? Home)
{
    public IReadOnlyList<Tag> Tags { get; init; } = [];

    public DateTimeOffset Since { get; init; }
}

/// <summary>A state type with <c>required</c> and init-only members and a private setter.</summary>
[GuildState(Key = "roundtrip/strict")]
public partial class StrictSettings
{
    public required string Name { get; init; }

    public required int Level { get; init; }

    public string Note { get; init; } = "default note";

    /// <summary>Set only through <see cref="Hit"/>; <see cref="JsonIncludeAttribute"/> lets System.Text.Json set it too.</summary>
    [JsonInclude]
    public int Hits { get; private set; }

    public void Hit() => Hits++;
}

/// <summary>A struct state type.</summary>
[AgentState(Key = "roundtrip/counter")]
public partial struct CounterState
{
    public int Count { get; set; }

    public string? Last { get; set; }
}

/// <summary>A base class that is not a state part: its settable members are stored with the derived type's.</summary>
public class NamedBase
{
    public string BaseName { get; set; } = "";

    public int BaseCount { get; init; }
}

/// <summary>A state type with renamed and ignored members, inherited members and a computed (get-only) member.</summary>
[GlobalState(Key = "roundtrip/renamed")]
public partial class Renamed : NamedBase
{
    [JsonPropertyName("größe")]
    public int Size { get; set; }

    [JsonPropertyName("with \"quotes\" and \\ backslash")]
    public string Quoted { get; set; } = "";

    [JsonPropertyName("emoji😀")]
    public bool Emoji { get; set; }

    [JsonPropertyName("URL")]
    public string? Url { get; set; }

    [JsonPropertyName("snake_case_name")]
    public List<int> Snake { get; set; } = [];

    [JsonIgnore]
    public string Ignored { get; set; } = "not stored";

    /// <summary>Computed: not stored, and ignored by System.Text.Json too.</summary>
    [JsonIgnore]
    public int Twice => Size * 2;
}

/// <summary>A state type whose members are declared as collection interfaces.</summary>
[GuildState(Key = "roundtrip/interfaces")]
public partial class CollectionInterfaces
{
    public IList<int> List { get; set; } = [];

    public ICollection<string> Collection { get; set; } = [];

    public IEnumerable<long> Sequence { get; set; } = [];

    public IReadOnlyCollection<Tag> ReadOnlyCollection { get; set; } = [];

    public ISet<string> Set { get; set; } = new HashSet<string>();

    public IDictionary<string, Point> Dictionary { get; set; } = new Dictionary<string, Point>();

    public IReadOnlyDictionary<string, IReadOnlyList<Mood>> Nested { get; set; } = new Dictionary<string, IReadOnlyList<Mood>>();

    public List<int>? Missing { get; set; }
}

/// <summary>A read-only set, which the generator reads (into a HashSet) and System.Text.Json cannot.</summary>
[GuildState(Key = "roundtrip/readonly-set")]
public partial class ReadOnlySetHolder
{
    public IReadOnlySet<int> Numbers { get; set; } = new HashSet<int>();
}

/// <summary>A struct state type whose declared constructor sets defaults.</summary>
[AgentState(Key = "roundtrip/budget")]
public partial struct Budget
{
    public Budget()
    {
    }

    public int Limit { get; set; } = 100;

    public int Spent { get; set; }
}
