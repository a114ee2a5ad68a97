namespace TypedState;

/// <summary>
/// The root of every error TypedState raises about state. Carries the scope, owner and key it concerns as
/// properties, and names them in the message.
/// </summary>
public class StateException : Exception
{
    /// <summary>Creates an exception about one record (or one owner when <paramref name="key"/> is null).</summary>
    public StateException(string message, StateOwner? owner, string? key, Exception? innerException = null)
        : base(Compose(message, owner, key), innerException)
    {
        Owner = owner;
        Key = key;
    }

    /// <summary>Creates an exception that concerns no particular record.</summary>
    public StateException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The scope concerned, when known.</summary>
    public Scope? Scope => Owner is { IsValid: true } owner ? owner.Scope : null;

    /// <summary>The owner concerned, when known.</summary>
    public StateOwner? Owner { get; }

    /// <summary>The key concerned, when known.</summary>
    public string? Key { get; }

    /// <summary>The message with the scope, owner and key appended, as every state error words it.</summary>
    internal static string Compose(string message, StateOwner? owner, string? key)
    {
        var where = owner is { IsValid: true } o
            ? o.Scope switch
            {
                TypedState.Scope.Agent => $"scope Agent, guild '{KeyRules.Printable(o.GuildId)}', agent '{KeyRules.Printable(o.AgentId)}'",
                TypedState.Scope.Guild => $"scope Guild, guild '{KeyRules.Printable(o.GuildId)}'",
                _ => "scope Global",
            }
            : "owner unknown";
        return key is null ? $"{message} [{where}]" : $"{message} [{where}, key '{KeyRules.Printable(key)}']";
    }
}
