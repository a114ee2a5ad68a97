using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.AgentFramework.Workflows;

/// <summary>Serializers of the checkpoint store's own records: generated, no reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CheckpointEntry))]
[JsonSerializable(typeof(RunEntry))]
[JsonSerializable(typeof(long))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
