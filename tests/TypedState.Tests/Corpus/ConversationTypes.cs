using System.Text.Json.Serialization;

namespace TypedState.Tests.Corpus;

/// <summary>Who spoke a turn.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum ChatRole
{
    System,
    User,
    Assistant,
    Tool,
}

/// <summary>An agent's chat memory: the turns kept, and a summary of the ones dropped.</summary>
[AgentState(Key = "corpus/chat-memory")]
public partial class ChatMemory
{
    public List<ChatTurn> Turns { get; set; } = [];

    public ConversationSummary? Summary { get; set; }

    public int MaxTurns { get; set; } = 40;
}

/// <summary>One turn: no state attribute, reached from <see cref="ChatMemory"/>.</summary>
public class ChatTurn
{
    public ChatRole Role { get; set; }

    public string Content { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public List<ToolInvocation>? Tools { get; set; }
}

/// <summary>A tool the assistant asked for in a turn: a positional record, built through its constructor.</summary>
public record ToolInvocation(string Name, string Arguments, string? CallId = null);

/// <summary>A summary of dropped turns, with init-only members.</summary>
public sealed class ConversationSummary
{
    public string Text { get; init; } = "";

    public int TurnsCovered { get; init; }

    public DateTimeOffset Through { get; init; }
}

/// <summary>Facts an agent remembers about a user.</summary>
[AgentState(Key = "corpus/memory-index")]
public partial record MemoryIndex
{
    public List<MemoryFact> Facts { get; init; } = [];

    public Dictionary<string, List<int>> ByTopic { get; init; } = [];
}

/// <summary>One remembered fact with its embedding.</summary>
public record MemoryFact(string Text, float[] Embedding, double Confidence)
{
    public string Source { get; init; } = "conversation";

    public DateTimeOffset? LastUsed { get; init; }
}

/// <summary>How an agent presents itself; <c>required</c> members in a reached type.</summary>
[AgentState(Key = "corpus/persona")]
public partial class PersonaState
{
    public Persona Persona { get; set; } = new() { Name = "assistant", Tone = "neutral" };

    public List<Persona> Alternatives { get; set; } = [];
}

/// <summary>A persona: its name and tone are required, as System.Text.Json demands them.</summary>
public class Persona
{
    public required string Name { get; init; }

    public required string Tone { get; init; }

    public string? Greeting { get; set; }

    public HashSet<string> Avoid { get; set; } = [];
}
