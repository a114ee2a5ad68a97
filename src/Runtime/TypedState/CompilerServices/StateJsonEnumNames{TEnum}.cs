using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// The names of an enum's values, encoded once with the store's encoder, as System.Text.Json's JsonStringEnumConverter
/// caches them: writing a name then costs no string (<c>value.ToString()</c> allocates one per call).
/// </summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal static class StateJsonEnumNames<TEnum>
    where TEnum : struct, Enum
{
    // Flag combinations and values without a name are not cached: they take ToString, as before.
    private static readonly Dictionary<TEnum, JsonEncodedText> s_names = Build();

    /// <summary>The encoded name of a named value.</summary>
    public static bool TryGet(TEnum value, out JsonEncodedText name) => s_names.TryGetValue(value, out name);

    private static Dictionary<TEnum, JsonEncodedText> Build()
    {
        var names = new Dictionary<TEnum, JsonEncodedText>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            // ToString picks the same name for a value that several names share, as writing it uncached did.
            var text = value.ToString();
            if (text.Length > 0 && !char.IsAsciiDigit(text[0]) && text[0] != '-')
            {
                names.TryAdd(value, StateJson.EncodeName(text));
            }
        }

        return names;
    }
}
