using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TypedState;

/// <summary>
/// Read and write state by owner and key: what <see cref="IStateManager"/> and <see cref="IStateTransaction"/>
/// share. Values are JSON, serialized with the <see cref="JsonTypeInfo{T}"/> given (trim- and AOT-safe) or,
/// through the extension overloads, with <see cref="SerializerOptions"/>.
/// </summary>
public interface IStateOperations
{
    /// <summary>The serializer options used by the overloads that take no <see cref="JsonTypeInfo{T}"/>.</summary>
    JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Reads one record. An absent record gives an entry with <see cref="StateEntry{T}.Exists"/> false and version 0.</summary>
    /// <exception cref="CorruptStateException">The stored bytes are not well-formed JSON.</exception>
    /// <exception cref="StateTypeMismatchException">The stored JSON does not fit <typeparamref name="T"/> (a number read as a string).</exception>
    /// <exception cref="InvalidStateKeyException">The key is empty, too long or contains control characters.</exception>
    ValueTask<StateEntry<T>> GetAsync<T>(StateOwner owner, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a value. With <paramref name="expectedVersion"/> the write succeeds only when the record has that
    /// version (0: only when it is absent); otherwise a <see cref="StateConflictException"/> is thrown.
    /// </summary>
    /// <returns>
    /// The record's new version. Inside a transaction the write is buffered and its version is decided at commit:
    /// the call returns 0.
    /// </returns>
    ValueTask<long> SetAsync<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a JSON value the caller already holds (UTF-8), as it is: no serializer, no CLR type. The bytes must be
    /// one well-formed JSON value; versions, <paramref name="expectedVersion"/> and the size limit work as in
    /// <see cref="SetAsync{T}"/>. No state type's schema is checked: the caller owns the document's shape.
    /// </summary>
    /// <returns>The record's new version (inside a transaction: 0, decided at commit).</returns>
    /// <exception cref="InvalidStateJsonException">The bytes are not one well-formed JSON value; nothing was written.</exception>
    /// <exception cref="StateValueTooLargeException">The bytes exceed <see cref="StateManagerOptions.MaxValueBytes"/>.</exception>
    ValueTask<long> SetJsonAsync(StateOwner owner, string key, ReadOnlyMemory<byte> utf8Json, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads one record as the raw JSON stored (UTF-8), without deserializing it; inside a transaction it is a read like
    /// <see cref="GetAsync{T}"/> (checked at commit). An absent record gives an entry with <see cref="StateEntry{T}.Exists"/>
    /// false and version 0. A driver may re-render whitespace and property order (see <see cref="Storage.IStateDriver"/>).
    /// </summary>
    /// <exception cref="CorruptStateException">The stored bytes are not one well-formed JSON value.</exception>
    ValueTask<StateEntry<ReadOnlyMemory<byte>>> GetJsonAsync(StateOwner owner, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a record. With <paramref name="expectedVersion"/> the delete succeeds only when the record has that version.
    /// </summary>
    /// <returns>Whether a record existed (inside a transaction: in the transaction's view).</returns>
    ValueTask<bool> DeleteAsync(StateOwner owner, string key, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the owner's records whose key starts with <paramref name="prefix"/>, matched literally
    /// (<c>% _ * ? [ ] \</c> have no special meaning), in code point order of the keys. A record whose bytes
    /// cannot be read is yielded with its <see cref="StateEntry{T}.Error"/> set.
    /// </summary>
    /// <remarks>
    /// Inside an <see cref="IStateTransaction"/> the listing merges the transaction's own writes, and each record it
    /// returns is checked at commit: one that another client changed or deleted meanwhile fails the commit with
    /// <see cref="StateConflictException"/>. A record another client adds under the prefix after the listing is not
    /// detected (no phantom protection); the remarks of <see cref="IStateTransaction"/> show how to guard a collection.
    /// </remarks>
    IAsyncEnumerable<StateEntry<T>> ListAsync<T>(StateOwner owner, string prefix, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);
}
