using System.Text.Json.Serialization;

namespace TypedState.Tests.Corpus;

/// <summary>How a tool call ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum CallOutcome
{
    Pending,
    Succeeded,
    Failed,
    TimedOut,
}

/// <summary>An agent's log of tool calls.</summary>
[AgentState(Key = "corpus/tool-log", Version = 1)]
public partial class ToolCallLog
{
    public List<ToolCall> Calls { get; set; } = [];

    public Dictionary<string, ToolStats> Stats { get; set; } = [];
}

/// <summary>One call: a private setter, a required member, a struct member and arguments by name.</summary>
public class ToolCall
{
    public Guid Id { get; set; }

    public required string Tool { get; set; }

    public Dictionary<string, string> Arguments { get; set; } = [];

    [JsonInclude]
    public CallOutcome Outcome { get; private set; }

    public CallTiming Timing { get; set; }

    public string? Error { get; set; }

    public void Finish(CallOutcome outcome) => Outcome = outcome;
}

/// <summary>When a call ran: a struct reached from <see cref="ToolCall"/>.</summary>
public struct CallTiming
{
    public DateTimeOffset Started { get; set; }

    public TimeSpan Duration { get; set; }
}

/// <summary>Counts per tool: get-only properties set by its constructor.</summary>
public sealed class ToolStats
{
    public ToolStats(int calls, int failures, TimeSpan total)
    {
        Calls = calls;
        Failures = failures;
        Total = total;
    }

    public int Calls { get; }

    public int Failures { get; }

    public TimeSpan Total { get; }
}

/// <summary>Rate limits a guild shares: struct buckets built through their constructor.</summary>
[GlobalState(Key = "corpus/rate-limits")]
public partial class RateLimitState
{
    public Dictionary<string, TokenBucket> Buckets { get; set; } = [];

    public TokenBucket? Default { get; set; }
}

/// <summary>A token bucket: a readonly record struct.</summary>
public readonly record struct TokenBucket(double Capacity, double Tokens, DateTimeOffset RefilledAt);
