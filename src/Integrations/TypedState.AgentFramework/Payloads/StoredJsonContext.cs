using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.AgentFramework;

/// <summary>Serializers of the records this package writes: generated, no reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(PayloadHead))]
[JsonSerializable(typeof(PayloadPart))]
[JsonSerializable(typeof(SessionIndexEntry))]
[JsonSerializable(typeof(HistoryHead))]
[JsonSerializable(typeof(HistoryIndexEntry))]
[JsonSerializable(typeof(HistorySessionState))]
internal sealed partial class StoredJsonContext : JsonSerializerContext;
