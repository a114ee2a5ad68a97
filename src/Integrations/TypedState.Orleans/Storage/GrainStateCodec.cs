using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orleans.Serialization.Serializers;

namespace TypedState.Orleans;

/// <summary>
/// How one grain state type is stored: a generated state type as its typed record (its scope, key, serializer and
/// migrations), any other type as JSON under the state's name.
/// </summary>
/// <typeparam name="T">The grain state type.</typeparam>
internal abstract class GrainStateCodec<T>
{
    /// <summary>The serializer of the stored document.</summary>
    public abstract JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>The generated state type's schema, or <see langword="null"/> for any other type.</summary>
    public abstract StateSchema? Schema { get; }

    /// <summary>The state of a grain with no record.</summary>
    public abstract T CreateDefault();

    /// <summary>The codec of <typeparamref name="T"/>: generated when the type is a generated state type.</summary>
    public static GrainStateCodec<T> Create(JsonSerializerOptions options, IActivatorProvider? activators)
    {
        if (Generated.Codec is { } generated)
        {
            return generated;
        }

        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        return new JsonCodec(typeInfo, activators?.GetActivator<T>() is { } activator ? activator.Create : Activator.CreateInstance<T>);
    }

    // Resolved once per type: whether T implements IStateType<T> is known only at run time (the storage is generic
    // over any grain state type), so the generated codec is built by reflection.
    private static class Generated
    {
        public static readonly GrainStateCodec<T>? Codec = typeof(T).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStateType<>) && i.GenericTypeArguments[0] == typeof(T))
            ? (GrainStateCodec<T>)Activator.CreateInstance(typeof(GeneratedStateCodec<>).MakeGenericType(typeof(T)))!
            : null;
    }

    private sealed class JsonCodec(JsonTypeInfo<T> typeInfo, Func<T> create) : GrainStateCodec<T>
    {
        public override JsonTypeInfo<T> TypeInfo => typeInfo;

        public override StateSchema? Schema => null;

        public override T CreateDefault() => create();
    }
}
