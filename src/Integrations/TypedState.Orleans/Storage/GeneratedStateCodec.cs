using System.Text.Json.Serialization.Metadata;

namespace TypedState.Orleans;

/// <summary>A generated state type as grain state: its schema's serializer (which upgrades older documents as it reads) and its default instance.</summary>
/// <typeparam name="T">The generated state type.</typeparam>
internal sealed class GeneratedStateCodec<T> : GrainStateCodec<T>
    where T : IStateType<T>
{
    public override JsonTypeInfo<T> TypeInfo => T.Schema.TypeInfo;

    public override StateSchema? Schema => T.Schema;

    public override T CreateDefault() => T.CreateDefault();
}
