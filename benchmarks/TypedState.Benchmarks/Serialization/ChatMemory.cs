using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.Benchmarks.Serialization;

/// <summary>How the conversation is going; serialized as its number by both TypedState and System.Text.Json.</summary>
public enum ConversationMood
{
    Neutral,
    Curious,
    Focused,
    Frustrated,
    Delighted,
}

/// <summary>One remembered fact: a state part, versioned with the memory that holds it.</summary>
[StatePart]
public partial record MemoryFact
{
    public string Text { get; init; } = string.Empty;

    public double Confidence { get; init; }

    public int Mentions { get; init; }
}

/// <summary>
/// A realistic agent memory: ten members (strings, ints, a nullable date, a list of topics, a dictionary of parts, an
/// enum, a Guid, a double). Declared once: the TypedState generator writes its serializer, and the same type is
/// registered in the System.Text.Json contexts below.
/// </summary>
[AgentState(Version = 1)]
public partial class ChatMemory
{
    public string AgentName { get; set; } = string.Empty;

    public string Summary { get; set; } = string.Empty;

    public int Turns { get; set; }

    public int TokensUsed { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    public List<string> Topics { get; set; } = [];

    public Dictionary<string, MemoryFact> Facts { get; set; } = [];

    public ConversationMood Mood { get; set; }

    public Guid ConversationId { get; set; }

    public double Sentiment { get; set; }
}

/// <summary>System.Text.Json source generation, metadata only: serialization walks the generated property metadata.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ChatMemory))]
public sealed partial class ChatMemoryMetadataContext : JsonSerializerContext
{
}

/// <summary>
/// System.Text.Json source generation in its default mode: metadata plus the fast-path serialize method (a generated
/// method that writes the object straight to the writer); deserialization uses the metadata.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChatMemory))]
public sealed partial class ChatMemoryFastPathContext : JsonSerializerContext
{
}

/// <summary>The sample memory every serializer benchmark writes and reads.</summary>
public static class ChatMemorySample
{
    private static readonly string[] s_topics =
    [
        "onboarding", "billing", "refund policy", "shipping delays", "password reset", "two factor login",
        "invoice export", "api rate limits", "webhooks", "data retention", "gdpr request", "team invites",
        "sso setup", "pricing tiers", "mobile app", "dark mode", "release notes", "outage report",
        "feature request", "account deletion",
    ];

    /// <summary>
    /// 20 topics and 10 facts. The text is ASCII without characters that System.Text.Json's default encoder escapes
    /// (quotes, apostrophes, &lt; &gt; &amp; +) so that every serializer writes the same bytes: TypedState stores with
    /// the relaxed encoder, the web defaults use the default one.
    /// </summary>
    public static ChatMemory Create()
    {
        var memory = new ChatMemory
        {
            AgentName = "support-agent-eu-west-3",
            Summary = "Customer on the team plan asked about invoices for the last quarter, then about moving billing to a new cost centre; prefers short answers with links to the docs.",
            Turns = 148,
            TokensUsed = 92_417,
            LastSeen = new DateTimeOffset(2025, 11, 3, 14, 27, 9, 512, TimeSpan.FromHours(1)),
            Topics = [.. s_topics],
            Mood = ConversationMood.Focused,
            ConversationId = new Guid("6f1c2a9e-3b47-4d0a-9c8e-51f27b0d4e13"),
            Sentiment = 0.7315,
        };
        for (var i = 0; i < 10; i++)
        {
            memory.Facts[$"fact-{i:D2}-{s_topics[i].Replace(' ', '-')}"] = new MemoryFact
            {
                Text = $"The customer mentioned {s_topics[i]} in turn {(i * 13) + 4} and expects a follow-up by email within two working days.",
                Confidence = 0.55 + (i * 0.041),
                Mentions = 1 + (i % 4),
            };
        }

        return memory;
    }
}
