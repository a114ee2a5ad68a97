using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace TypedState.DependencyInjection;

/// <summary>
/// Reads typed settings from configuration without reflection (the binder would try to bind
/// <see cref="System.Text.Json.JsonSerializerOptions"/> too), with errors that name the setting's path.
/// </summary>
public static class ConfigurationValues
{
    /// <summary>The integer at <paramref name="key"/>, or null when the key is absent.</summary>
    /// <exception cref="InvalidOperationException">The value is not an integer.</exception>
    public static int? GetInt32(IConfiguration section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"Configuration value '{Path(section, key)}' is '{text}', which is not an integer.");
    }

    /// <summary>The boolean at <paramref name="key"/>, or null when the key is absent.</summary>
    /// <exception cref="InvalidOperationException">The value is not true or false.</exception>
    public static bool? GetBoolean(IConfiguration section, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new InvalidOperationException($"Configuration value '{Path(section, key)}' is '{text}', which is not true or false.");
    }

    /// <summary>The enum value named at <paramref name="key"/>, or null when the key is absent.</summary>
    /// <exception cref="InvalidOperationException">The value names no member of <typeparamref name="TEnum"/>.</exception>
    public static TEnum? GetEnum<TEnum>(IConfiguration section, string key)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(section);
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidOperationException(
                $"Configuration value '{Path(section, key)}' is '{text}'; expected one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    private static string Path(IConfiguration section, string key) =>
        section is IConfigurationSection named ? ConfigurationPath.Combine(named.Path, key) : key;
}
