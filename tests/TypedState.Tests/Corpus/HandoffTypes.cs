using System.Text.Json.Serialization;

namespace TypedState.Tests.Corpus;

/// <summary>Why an agent handed a conversation over.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum HandoffReason
{
    OutOfScope,
    Escalation,
    Timeout,
}

/// <summary>Conversations handed between the agents of a guild.</summary>
[GuildState(Key = "corpus/handoffs", Version = 1)]
public partial class HandoffLedger
{
    public List<Handoff> Open { get; set; } = [];

    public Dictionary<string, int> CountByAgent { get; set; } = [];
}

/// <summary>One handoff and the context it carries.</summary>
public record Handoff(string From, string To, HandoffReason Reason)
{
    public Guid ConversationId { get; init; }

    public string[] Context { get; init; } = [];

    public DateTimeOffset At { get; init; }
}

/// <summary>What an agent must not do: rules and the violations seen.</summary>
[AgentState(Key = "corpus/guardrails")]
public partial record GuardrailState
{
    public List<Guardrail> Rules { get; init; } = [];

    public IReadOnlyList<string>? RecentViolations { get; init; }

    public int Violations { get; init; }
}

/// <summary>One rule, with a pattern and a severity from 0 to 1.</summary>
public sealed class Guardrail
{
    public string Pattern { get; set; } = "";

    public float Severity { get; set; }

    public bool Block { get; set; } = true;
}
