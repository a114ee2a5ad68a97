using System.Text.Json;
using System.Text.Json.Serialization;
using Corpus = TypedState.Tests.Corpus;

namespace TypedState.Benchmarks.Serialization;

/// <summary>
/// System.Text.Json's source-generated context over the 21 state types of the test corpus, with the web defaults
/// (default mode: a fast-path writer where System.Text.Json can make one, metadata for reading).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Corpus.ChatMemory))]
[JsonSerializable(typeof(Corpus.MemoryIndex))]
[JsonSerializable(typeof(Corpus.PersonaState))]
[JsonSerializable(typeof(Corpus.ToolCallLog))]
[JsonSerializable(typeof(Corpus.ToolRunLog))]
[JsonSerializable(typeof(Corpus.RateLimitState))]
[JsonSerializable(typeof(Corpus.PlanState))]
[JsonSerializable(typeof(Corpus.TaskBoard))]
[JsonSerializable(typeof(Corpus.CheckpointState))]
[JsonSerializable(typeof(Corpus.CostLedger))]
[JsonSerializable(typeof(Corpus.Workspace))]
[JsonSerializable(typeof(Corpus.ScheduleState))]
[JsonSerializable(typeof(Corpus.ToolResultCache))]
[JsonSerializable(typeof(Corpus.BookmarkState))]
[JsonSerializable(typeof(Corpus.TelemetryState))]
[JsonSerializable(typeof(Corpus.AgentRoster))]
[JsonSerializable(typeof(Corpus.ConfigSnapshot))]
[JsonSerializable(typeof(Corpus.ModelCatalog))]
[JsonSerializable(typeof(Corpus.EvalRun))]
[JsonSerializable(typeof(Corpus.HandoffLedger))]
[JsonSerializable(typeof(Corpus.GuardrailState))]
internal sealed partial class CorpusContext : JsonSerializerContext;
