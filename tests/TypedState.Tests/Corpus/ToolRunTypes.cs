using System.Text.Json.Serialization;

namespace TypedState.Tests.Corpus;

/// <summary>
/// A run's tool calls of several kinds, stored through their abstract base with a discriminator first, and what the
/// agent observed through an interface with integer discriminators under a property name of its own.
/// </summary>
[AgentState(Key = "corpus/tool-run", Version = 1)]
public partial class ToolRunLog
{
    public List<ToolUse> Calls { get; set; } = [];

    public ToolUse? Running { get; set; }

    public Dictionary<string, ToolUse> ByCallId { get; set; } = [];

    public List<IObservation> Observations { get; set; } = [];

    public List<RunNote> Notes { get; set; } = [];

    public List<RunStep> Steps { get; set; } = [];

    public RunBudget? Budget { get; set; }
}

/// <summary>One call of a tool: the kinds are the derived types, each with a name as its discriminator.</summary>
[JsonPolymorphic]
[JsonDerivedType(typeof(WebSearchCall), "web_search")]
[JsonDerivedType(typeof(CodeRunCall), "code_run")]
[JsonDerivedType(typeof(FileEditCall), "file_edit")]
public abstract class ToolUse
{
    public required string CallId { get; set; }

    public DateTimeOffset At { get; set; }

    public CallOutcome Outcome { get; set; }
}

/// <summary>A web search and the pages it found.</summary>
public sealed class WebSearchCall : ToolUse
{
    public string Query { get; set; } = "";

    public List<Uri> Results { get; set; } = [];
}

/// <summary>Code run in a sandbox.</summary>
public sealed class CodeRunCall : ToolUse
{
    public string Language { get; set; } = "python";

    public string Code { get; set; } = "";

    public int? ExitCode { get; set; }

    public string? Stdout { get; set; }

    public TimeSpan Elapsed { get; set; }
}

/// <summary>Edits made to one file: a list of a record type, reached from a derived type only.</summary>
public sealed class FileEditCall : ToolUse
{
    public string Path { get; set; } = "";

    public List<TextEdit> Edits { get; set; } = [];
}

/// <summary>One line replaced.</summary>
public sealed record TextEdit(int Line, string Before, string After);

/// <summary>What the agent observed: an interface, its kinds numbered under the property "kind".</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TextObservation), 1)]
[JsonDerivedType(typeof(ImageObservation), 2)]
public interface IObservation
{
    string Source { get; }
}

/// <summary>Text read from a page or a tool's output.</summary>
public sealed class TextObservation : IObservation
{
    public string Source { get; set; } = "";

    public string Text { get; set; } = "";
}

/// <summary>An image seen, by its address.</summary>
public sealed class ImageObservation : IObservation
{
    public string Source { get; set; } = "";

    public Uri? Url { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }
}

/// <summary>A note on the run: a concrete base that lists itself, so that a note is stored with a discriminator too.</summary>
[JsonDerivedType(typeof(RunNote), "note")]
[JsonDerivedType(typeof(RetryNote), "retry")]
public class RunNote
{
    public string Text { get; set; } = "";
}

/// <summary>A note that a call was retried.</summary>
public sealed class RetryNote : RunNote
{
    public int Attempt { get; set; }

    public string? CallId { get; set; }
}

/// <summary>A step of the run's plan: a state part whose kinds are its subclasses, under a discriminator named "step".</summary>
[StatePart]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step")]
[JsonDerivedType(typeof(CallToolStep), "tool")]
[JsonDerivedType(typeof(AskUserStep), 7)]
public partial class RunStep
{
    public string Goal { get; set; } = "";

    public bool Done { get; set; }
}

/// <summary>A step that calls a tool.</summary>
public sealed class CallToolStep : RunStep
{
    public string Tool { get; set; } = "";
}

/// <summary>A step that waits for the user.</summary>
public sealed class AskUserStep : RunStep
{
    public string Question { get; set; } = "";

    public DateTimeOffset? AskedAt { get; set; }
}

/// <summary>The run's budget: an abstract state part, stored only as one of its kinds.</summary>
[StatePart]
[JsonDerivedType(typeof(TokenBudget), "tokens")]
[JsonDerivedType(typeof(TimeBudget), "time")]
public abstract partial class RunBudget
{
    public bool Hard { get; set; }
}

/// <summary>A budget of tokens.</summary>
public sealed class TokenBudget : RunBudget
{
    public int MaxTokens { get; set; }
}

/// <summary>A budget of wall-clock time.</summary>
public sealed class TimeBudget : RunBudget
{
    public TimeSpan MaxTime { get; set; }
}
