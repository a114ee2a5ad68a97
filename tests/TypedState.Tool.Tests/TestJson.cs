using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.Tool.Tests;

/// <summary>The JSON metadata the tests read values with.</summary>
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(int))]
internal sealed partial class TestJson : JsonSerializerContext;
