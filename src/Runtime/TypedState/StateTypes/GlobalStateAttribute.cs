namespace TypedState;

/// <summary>
/// Declares a partial type as global-scoped state: application-wide, shared by every guild; it lives until deleted. The TypedState generator emits its serializer, its typed
/// accessors (<c>LoadAsync</c>, <c>SaveAsync</c>, <c>UpdateAsync</c>) and its schema with the migration chain.
/// </summary>
/// <example><code>[GlobalState(Version = 2)] public partial class Notes { public List&lt;string&gt; Items { get; set; } = []; }</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class GlobalStateAttribute : StateTypeAttribute
{
}
