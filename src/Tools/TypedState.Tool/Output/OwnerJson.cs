using System.Text.Json;

namespace TypedState.Tool.Output;

/// <summary>An owner as JSON properties: <c>scope</c>, and <c>guild</c> / <c>agent</c> where it has them.</summary>
internal static class OwnerJson
{
    public static void Write(Utf8JsonWriter writer, StateOwner owner)
    {
        writer.WriteString("scope", owner.Scope.ToString());
        if (owner.Scope != Scope.Global)
        {
            writer.WriteString("guild", owner.GuildIdOrEmpty);
        }

        if (owner.Scope == Scope.Agent)
        {
            writer.WriteString("agent", owner.AgentIdOrEmpty);
        }
    }
}
