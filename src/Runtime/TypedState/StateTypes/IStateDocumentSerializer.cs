namespace TypedState;

/// <summary>
/// Lets the store serialize a state type's documents through <see cref="StateSchema{T}.Serialize"/> when it is handed
/// the type's <see cref="StateSchema{T}.TypeInfo"/>, without a trip through <see cref="System.Text.Json.JsonSerializer"/>.
/// </summary>
/// <typeparam name="T">The state type.</typeparam>
internal interface IStateDocumentSerializer<T>
{
    /// <summary>The stored document of <paramref name="value"/>, at the current version.</summary>
    byte[] Serialize(T value);
}
