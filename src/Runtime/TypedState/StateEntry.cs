using System.Diagnostics.CodeAnalysis;

namespace TypedState;

/// <summary>
/// What a read found: the key, the record version (0 when absent) and the value. A listed record whose bytes
/// could not be read carries its <see cref="Error"/> instead, so one bad record never hides the others.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct StateEntry<T>
{
    private readonly T? _value;

    /// <summary>Creates an entry (the core builds these; public for drivers' and callers' tests).</summary>
    public StateEntry(string key, bool exists, T? value, long version, StateException? error = null)
    {
        Key = key;
        Exists = exists;
        _value = value;
        Version = version;
        Error = error;
    }

    /// <summary>The record key.</summary>
    public string Key { get; }

    /// <summary>
    /// The record version, 0 when the record does not exist. Pass it as the expected version of the next write.
    /// Inside a transaction, a value the transaction wrote itself carries the committed version its write is
    /// based on (0 when that is unknown or the record was absent).
    /// </summary>
    public long Version { get; }

    /// <summary>Whether a record was found.</summary>
    public bool Exists { get; }

    /// <summary>The value, or <c>default</c> when absent.</summary>
    /// <exception cref="StateException">The listed record could not be read (see <see cref="Error"/>): a <see cref="CorruptStateException"/>, a <see cref="StateTypeMismatchException"/>, a <see cref="StateSchemaTooNewException"/> or a <see cref="StateMigrationException"/>.</exception>
    public T? Value => Error is null ? _value : throw Error;

    /// <summary>For listed records only: why the stored bytes could not be read; <see langword="null"/> when they could.</summary>
    public StateException? Error { get; }

    /// <summary>Whether the record exists and was readable; returns the value when it was.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value!;
        return Exists && Error is null;
    }

    /// <summary>The value, or <paramref name="defaultValue"/> when the record is absent.</summary>
    public T GetValueOrDefault(T defaultValue) => Exists ? Value! : defaultValue;

    /// <inheritdoc />
    public override string ToString() => Exists ? $"{Key} v{Version}" : $"{Key} (absent)";
}
