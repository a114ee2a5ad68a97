using System.ComponentModel;

namespace TypedState;

/// <summary>A generated state type of scope <see cref="Scope.Global"/> (see <see cref="GlobalStateAttribute"/>).</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGlobalState<TSelf> : IStateType<TSelf>
    where TSelf : IGlobalState<TSelf>
{
}
