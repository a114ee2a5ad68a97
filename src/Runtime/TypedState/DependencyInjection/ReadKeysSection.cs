using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace TypedState.DependencyInjection;

/// <summary>
/// A configuration section that remembers which keys were read, so that a binder written by hand can refuse the keys
/// it never reads (a misspelt setting would otherwise be ignored without a word).
/// </summary>
internal sealed class ReadKeysSection(IConfiguration inner) : IConfigurationSection
{
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public string Key => inner is IConfigurationSection section ? section.Key : string.Empty;

    public string Path => inner is IConfigurationSection section ? section.Path : string.Empty;

    public string? Value
    {
        get => inner is IConfigurationSection section ? section.Value : null;
        set => throw new NotSupportedException("Binding reads configuration; it does not write it.");
    }

    public string? this[string key]
    {
        get
        {
            _read.Add(key);
            return inner[key];
        }

        set => throw new NotSupportedException("Binding reads configuration; it does not write it.");
    }

    public IConfigurationSection GetSection(string key)
    {
        _read.Add(key);
        return inner.GetSection(key);
    }

    public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren();

    public IChangeToken GetReloadToken() => inner.GetReloadToken();

    /// <summary>The keys present in the section that nothing read.</summary>
    public List<string> Unread() => [.. inner.GetChildren().Select(static c => c.Key).Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal)];

    /// <summary>The keys read, for the error message.</summary>
    public List<string> Read() => [.. _read.Order(StringComparer.Ordinal)];
}
