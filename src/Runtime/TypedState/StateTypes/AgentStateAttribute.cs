namespace TypedState;

/// <summary>
/// Declares a partial type as agent-scoped state: owned by one agent and reachable only through that agent's own state (<c>context.State</c>); it lives until the agent is removed. The TypedState generator emits its serializer, its typed
/// accessors (<c>LoadAsync</c>, <c>SaveAsync</c>, <c>UpdateAsync</c>) and its schema with the migration chain.
/// </summary>
/// <example><code>[AgentState(Version = 2)] public partial class Notes { public List&lt;string&gt; Items { get; set; } = []; }</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class AgentStateAttribute : StateTypeAttribute
{
}
