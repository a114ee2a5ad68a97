using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// The exact code generated for representative state types, checked against <c>Snapshots/&lt;test name&gt;/</c>; the
/// testing framework also compiles it with the user code and fails on any compiler error or warning.
/// </summary>
public sealed class GeneratedSourceTests
{
    [Fact]
    public Task Agent_class_at_version_3_with_migrations() => Snapshots.VerifyAsync(nameof(Agent_class_at_version_3_with_migrations), [
        """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Nodes;
        using TypedState;

        namespace Demo.Agents;

        [AgentState(Version = 3)]
        public partial class ChatMemory
        {
            public List<string> Topics { get; set; } = new();

            public int Turns { get; set; }

            public DateTimeOffset? LastSeen { get; set; }

            // v1 stored "topic" as one string
            private static void MigrateV1ToV2(JsonObject state)
            {
                var topic = state["topic"]?.GetValue<string>();
                state.Remove("topic");
                state["topics"] = topic is null ? new JsonArray() : new JsonArray(topic);
            }

            // v2 named "turns" "count"
            private static void MigrateV2ToV3(JsonObject state)
            {
                state["turns"] = state["count"]?.DeepClone();
                state.Remove("count");
            }
        }
        """,
    ]);

    [Fact]
    public Task Guild_positional_record_with_a_dictionary_of_parts() => Snapshots.VerifyAsync(nameof(Guild_positional_record_with_a_dictionary_of_parts), [
        """
        using System.Collections.Generic;
        using TypedState;

        namespace Demo.Guilds;

        [GuildState(Key = "knowledge")]
        public partial record KnowledgeBase(string Name)
        {
            public required string Curator { get; init; }

            public Dictionary<string, FactEntry> Facts { get; init; } = new();
        }

        [StatePart]
        public partial record FactEntry
        {
            public string Text { get; init; } = "";

            public double Confidence { get; init; }

            public List<string>? Sources { get; init; }
        }
        """,
    ]);

    [Fact]
    public Task Global_class_with_enums_nullables_arrays_sets_and_primitives() => Snapshots.VerifyAsync(nameof(Global_class_with_enums_nullables_arrays_sets_and_primitives), [
        """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using TypedState;

        namespace Demo.Config;

        public enum Tier : byte
        {
            Free,
            Pro,
        }

        [JsonConverter(typeof(JsonStringEnumConverter))]
        public enum Region
        {
            Europe,
            Americas,
        }

        [GlobalState(Key = "settings")]
        public partial class Settings
        {
            public Tier Tier { get; set; }

            public Region Region { get; set; }

            public Region? FallbackRegion { get; set; }

            public int? Limit { get; set; }

            public long Total { get; set; }

            public bool Enabled { get; set; }

            public decimal Price { get; set; }

            public char Separator { get; set; }

            public Guid InstanceId { get; set; }

            public TimeSpan Timeout { get; set; }

            public TimeSpan? Grace { get; set; }

            public DateTime CreatedAt { get; set; }

            public byte[] Secret { get; set; } = [];

            public int[] Ports { get; set; } = [];

            public string[]? Hosts { get; set; }

            public HashSet<string> Flags { get; set; } = [];

            public IReadOnlyList<double> Weights { get; set; } = [];

            public Dictionary<string, int?> Quotas { get; set; } = new();
        }
        """,
    ]);

    [Fact]
    public Task Member_types_served_by_a_user_serializer_context() => Snapshots.VerifyAsync(nameof(Member_types_served_by_a_user_serializer_context), [
        """
        using System;
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Text.Json.Serialization.Metadata;
        using TypedState;

        namespace Demo.Places;

        public sealed record Coordinates(double Latitude, double Longitude);

        // Written by hand here: in a real project System.Text.Json's generator implements the context.
        [JsonSerializable(typeof(Coordinates))]
        public sealed class PlaceContext : JsonSerializerContext
        {
            public PlaceContext()
                : base(null)
            {
            }

            public static PlaceContext Default { get; } = new();

            protected override JsonSerializerOptions? GeneratedSerializerOptions => null;

            public override JsonTypeInfo? GetTypeInfo(Type type) => null;
        }

        [AgentState(SerializerContext = typeof(PlaceContext))]
        public partial class Whereabouts
        {
            public Coordinates Home { get; set; } = new(0, 0);

            public Coordinates? Last { get; set; }

            public List<Coordinates> Visited { get; set; } = [];

            public string Label { get; set; } = "";
        }
        """,
    ]);

    [Fact]
    public Task Struct_parts() => Snapshots.VerifyAsync(nameof(Struct_parts), [
        """
        using System.Collections.Generic;
        using TypedState;

        namespace Demo.Geometry;

        [StatePart]
        public partial struct Point
        {
            public int X { get; set; }

            public int Y { get; set; }
        }

        [StatePart]
        public partial record struct Size(double Width, double Height);

        [AgentState(Key = "canvas")]
        public partial class Canvas
        {
            public required string Title { get; set; }

            public Point Origin { get; set; }

            public Point? Cursor { get; set; }

            public List<Point> Path { get; set; } = [];

            public Size Area { get; set; }
        }
        """,
    ]);

    [Fact]
    public Task Class_with_parameterless_constructor_and_required_and_init_members() => Snapshots.VerifyAsync(nameof(Class_with_parameterless_constructor_and_required_and_init_members), [
        """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using TypedState;

        namespace Demo.Profiles;

        [AgentState]
        public partial class Profile
        {
            public Profile()
            {
                CreatedAt = DateTimeOffset.UnixEpoch;
            }

            public required string Name { get; init; }

            public string? Nickname { get; init; }

            public DateTimeOffset CreatedAt { get; private set; }

            public int Score { get; set; } = 10;

            [JsonPropertyName("tags_v2")]
            public List<string> Tags { get; set; } = [];

            [JsonIgnore]
            public int Cache { get; set; }

            public int DoubleScore => Score * 2;
        }
        """,
    ]);

    [Fact]
    public Task Type_in_the_global_namespace() => Snapshots.VerifyAsync(nameof(Type_in_the_global_namespace), [
        """
        using TypedState;

        [GlobalState]
        public partial class Counter
        {
            public int Value { get; set; }
        }
        """,
    ]);

    [Fact]
    public Task Types_reached_from_members_without_attributes() => Snapshots.VerifyAsync(nameof(Types_reached_from_members_without_attributes), [
        """
        using System;
        using System.Collections.Generic;
        using TypedState;

        namespace Demo.Tools;

        [AgentState(Key = "tool-log")]
        public partial class ToolLog
        {
            public List<Call> Calls { get; set; } = [];

            public Timing? Last { get; set; }
        }

        public class Call
        {
            public required string Tool { get; init; }

            public string? Result { get; private set; }

            public Timing Timing { get; set; }

            public Call? Retry { get; set; }
        }

        public struct Timing
        {
            public DateTimeOffset Started { get; set; }

            public long Ticks { get; set; }
        }

        public sealed class Price(decimal perMillion, string currency = "USD")
        {
            public decimal PerMillion { get; } = perMillion;

            public string Currency { get; } = currency;
        }

        [GuildState(Key = "prices")]
        public partial class Prices
        {
            public Dictionary<string, Price> ByModel { get; set; } = [];
        }
        """,
    ]);

    [Fact]
    public Task Polymorphic_types_and_parts_with_string_integer_and_no_discriminators() => Snapshots.VerifyAsync(nameof(Polymorphic_types_and_parts_with_string_integer_and_no_discriminators), [
        """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using TypedState;

        namespace Demo.Runs;

        [AgentState(Key = "run")]
        public partial class RunLog
        {
            public List<Call> Calls { get; set; } = [];

            public Note? Note { get; set; }

            public List<Step> Steps { get; set; } = [];
        }

        [JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
        [JsonDerivedType(typeof(Search), "search")]
        [JsonDerivedType(typeof(Run), 2)]
        public abstract class Call
        {
            public required string Id { get; set; }
        }

        public sealed class Search : Call
        {
            public string Query { get; set; } = "";
        }

        public sealed class Run : Call
        {
            public int ExitCode { get; set; }
        }

        [JsonDerivedType(typeof(Pinned), "pinned")]
        [JsonDerivedType(typeof(Quiet))]
        public class Note
        {
            public string Text { get; set; } = "";
        }

        public sealed class Pinned : Note
        {
            public int Rank { get; set; }
        }

        public sealed class Quiet : Note
        {
        }

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
        """,
    ]);

    [Fact]
    public Task Immutable_collections_and_keys_that_are_not_strings() => Snapshots.VerifyAsync(nameof(Immutable_collections_and_keys_that_are_not_strings), [
        """
        using System;
        using System.Collections.Frozen;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Text.Json.Nodes;
        using TypedState;

        namespace Demo.Config;

        public enum Level
        {
            Low,
            High,
        }

        [GlobalState(Key = "snapshot")]
        public partial record Snapshot
        {
            public ImmutableArray<string> Tools { get; init; } = [];

            public ImmutableList<DateOnly> Days { get; init; } = [];

            public FrozenDictionary<Guid, int> Quotas { get; init; } = FrozenDictionary<Guid, int>.Empty;

            public Dictionary<Level, Uri?> Hooks { get; init; } = [];

            public IReadOnlyDictionary<long, JsonObject> Payloads { get; init; } = new Dictionary<long, JsonObject>();
        }
        """,
    ]);

    [Fact]
    public Task Get_only_collections_populated() => Snapshots.VerifyAsync(nameof(Get_only_collections_populated), [
        """
        using System;
        using System.Collections.Generic;
        using TypedState;

        namespace Demo.Populated;

        [AgentState(Key = "board")]
        public partial class Board
        {
            public string Name { get; set; } = "";

            public List<Card> Cards { get; } = [];

            public ISet<string> Labels { get; } = new HashSet<string>();

            public IDictionary<Guid, int> Votes { get; } = new Dictionary<Guid, int>();
        }

        public sealed class Card
        {
            public string Title { get; set; } = "";

            public Dictionary<string, List<string>> Comments { get; } = [];
        }
        """,
    ]);
}
