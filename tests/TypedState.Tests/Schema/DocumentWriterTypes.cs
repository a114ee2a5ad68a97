using System.Text;
using System.Text.Json.Serialization;
using TypedState.Tests.Corpus;

namespace TypedState.Tests.Schema;

/// <summary>A state type whose getter serializes another state type while its own document is being written.</summary>
[AgentState(Key = "tests/serialize-within")]
public partial class SerializeWithin
{
    public string Name { get; set; } = "outer";

    public string Inner
    {
        get => Encoding.UTF8.GetString(PersonaState.StateSchema.Serialize(CorpusSamples.Persona()));
        set => ReadInner = value;
    }

    /// <summary>What a read found in <see cref="Inner"/>; not stored.</summary>
    [JsonIgnore]
    public string? ReadInner { get; private set; }

    public int After { get; set; } = 7;
}
