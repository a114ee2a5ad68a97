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

    /// <summary>
    /// Runs <paramref name="bind"/> over <paramref name="section"/> and refuses the keys of the section it never read,
    /// as the configuration binder does with <c>ErrorOnUnknownConfiguration</c>: a misspelt setting fails the start
    /// instead of being ignored. A key counts as read when <paramref name="bind"/> asks for its value or its
    /// sub-section.
    /// </summary>
    /// <exception cref="InvalidOperationException">The section holds a key that <paramref name="bind"/> did not read.</exception>
    public static void Bind(IConfiguration section, Action<IConfiguration> bind)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(bind);
        var tracked = new ReadKeysSection(section);
        bind(tracked);
        if (tracked.Unread() is { Count: > 0 } unknown)
        {
            var where = tracked.Path is { Length: > 0 } path ? $"section '{path}'" : "the TypedState configuration";
            throw new InvalidOperationException(
                $"Unknown configuration key{(unknown.Count == 1 ? string.Empty : "s")} in {where}: " +
                $"{string.Join(", ", unknown.Select(k => $"'{k}'"))}. Known keys: {string.Join(", ", tracked.Read())}.");
        }
    }

    /// <summary>
    /// The connection string named <paramref name="name"/> in the application's configuration
    /// (<c>ConnectionStrings:{name}</c>, where Aspire's AppHost and <c>dotnet user-secrets</c> put them).
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="IConfiguration"/> is registered, or it has no such connection string.</exception>
    public static string GetConnectionString(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var configuration = services.GetService(typeof(IConfiguration)) as IConfiguration
            ?? throw new InvalidOperationException(
                $"The connection string '{name}' cannot be read: no IConfiguration is registered (a host registers one; otherwise call services.AddSingleton<IConfiguration>(...)).");
        return configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"No connection string named '{name}' is configured: set 'ConnectionStrings:{name}' (for example the environment variable ConnectionStrings__{name}).");
    }

    /// <summary>
    /// Checks a driver's <c>ConnectionName</c> setting, when set: built through <c>AddTypedState</c>
    /// (<paramref name="services"/> given) it must name a configured connection string; a driver built directly has no
    /// configuration to read it from and refuses it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The name cannot be resolved.</exception>
    public static void CheckConnectionName(IServiceProvider? services, string? connectionName, string optionsName)
    {
        if (string.IsNullOrWhiteSpace(connectionName))
        {
            return;
        }

        _ = services is null
            ? throw new InvalidOperationException(
                $"{optionsName}.ConnectionName is read from the application's configuration by AddTypedState; a driver built directly takes a connection string.")
            : GetConnectionString(services, connectionName);
    }

    private static string Path(IConfiguration section, string key) =>
        section is IConfigurationSection named ? ConfigurationPath.Combine(named.Path, key) : key;
}
