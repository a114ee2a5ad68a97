using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.Tool.Output;

/// <summary>The tool's JSON metadata, generated (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;
