using System.Runtime.InteropServices;
using System.Text.Json;

namespace TypedState;

/// <summary>
/// Raw JSON as a <see cref="JsonElement"/>: write an element the caller holds without a round trip through a CLR
/// type, and read a record back as one. Trim- and AOT-safe (no serializer involved).
/// </summary>
public static class RawJsonExtensions
{
    /// <summary>
    /// Stores <paramref name="json"/> as it is (its raw UTF-8 text); see <see cref="IStateOperations.SetJsonAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is a default (undefined) element.</exception>
    public static ValueTask<long> SetJsonAsync(this IStateOperations state, StateOwner owner, string key, JsonElement json, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (json.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The element is undefined (a default JsonElement); pass an element of a parsed document.", nameof(json));
        }

        // The element's own bytes: no re-serialization, so numbers and strings keep their exact text.
        return state.SetJsonAsync(owner, key, JsonMarshal.GetRawUtf8Value(json).ToArray(), expectedVersion, cancellationToken);
    }

    /// <summary>
    /// Reads one record as a <see cref="JsonElement"/> (independent of any document the caller must dispose); see
    /// <see cref="IStateOperations.GetJsonAsync"/>.
    /// </summary>
    public static async ValueTask<StateEntry<JsonElement>> GetJsonElementAsync(this IStateOperations state, StateOwner owner, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entry = await state.GetJsonAsync(owner, key, cancellationToken).ConfigureAwait(false);
        if (!entry.Exists)
        {
            return new StateEntry<JsonElement>(key, false, default, 0);
        }

        using var document = JsonDocument.Parse(entry.Value);
        return new StateEntry<JsonElement>(key, true, document.RootElement.Clone(), entry.Version);
    }
}
