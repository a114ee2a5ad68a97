using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.Benchmarks.Serialization;

/// <summary>
/// The agent memory of the product's own example: a list of topics, a turn count and when the agent was last seen.
/// A small document (about 150 bytes), where the fixed cost of each call weighs more than the members.
/// </summary>
[AgentState(Version = 1)]
public partial class TopicMemory
{
    public List<string> Topics { get; set; } = [];

    public int Turns { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    /// <summary>The sample every serializer benchmark of this type writes and reads: five topics.</summary>
    public static TopicMemory Sample() => new()
    {
        Topics = ["billing", "refund policy", "invoice export", "sso setup", "release notes"],
        Turns = 37,
        LastSeen = new DateTimeOffset(2025, 11, 3, 14, 27, 9, 512, TimeSpan.FromHours(1)),
    };
}

/// <summary>System.Text.Json source generation for <see cref="TopicMemory"/>, metadata only.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(TopicMemory))]
public sealed partial class TopicMemoryMetadataContext : JsonSerializerContext
{
}

/// <summary>System.Text.Json source generation for <see cref="TopicMemory"/> in its default mode (fast-path serialize).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TopicMemory))]
public sealed partial class TopicMemoryFastPathContext : JsonSerializerContext
{
}
