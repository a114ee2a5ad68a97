#pragma warning disable CA1051 // Public fields with [JsonInclude] are what these types exercise.

using System.Text.Json.Serialization;

namespace TypedState.Tests.Corpus;

/// <summary>
/// A run of an evaluation suite: a get-only property its constructor sets, and counters kept in fields with
/// [JsonInclude], as System.Text.Json stores them.
/// </summary>
[AgentState(Key = "corpus/eval-run")]
public partial class EvalRun
{
    public EvalRun(string suite)
    {
        Suite = suite;
    }

    public string Suite { get; }

    [JsonInclude]
    public int Passed;

    [JsonInclude]
    public int Failed;

    public List<EvalCase> Cases { get; set; } = [];
}

/// <summary>One case of a suite: a readonly field its constructor sets, a field with [JsonInclude].</summary>
public class EvalCase
{
    [JsonInclude]
    public readonly string Name;

    [JsonInclude]
    public double Score;

    public EvalCase(string name)
    {
        Name = name;
    }
}
