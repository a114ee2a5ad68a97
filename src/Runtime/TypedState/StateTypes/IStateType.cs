using System.ComponentModel;

namespace TypedState;

/// <summary>
/// A generated state type: serialized by generated code and described by its <see cref="StateSchema{T}"/>.
/// Implemented by the generator for types marked <see cref="AgentStateAttribute"/>,
/// <see cref="GuildStateAttribute"/> or <see cref="GlobalStateAttribute"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IStateType<TSelf> : IStatePart<TSelf>
    where TSelf : IStateType<TSelf>
{
    /// <summary>The type's scope, key, version, serializer and migration chain.</summary>
    static abstract StateSchema<TSelf> Schema { get; }

    /// <summary>A new instance as the type declares it (initializers run): what loading an absent record gives.</summary>
    static abstract TSelf CreateDefault();
}
