using System.ComponentModel;

namespace TypedState;

/// <summary>A generated state type of scope <see cref="Scope.Guild"/> (see <see cref="GuildStateAttribute"/>).</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGuildState<TSelf> : IStateType<TSelf>
    where TSelf : IGuildState<TSelf>
{
}
