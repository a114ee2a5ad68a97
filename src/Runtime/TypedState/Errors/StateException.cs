namespace TypedState;

/// <summary>
/// The root of every error TypedState raises about state. Carries the scope, owner and key it concerns as
/// properties, names them in the message, and says in <see cref="Outcome"/> whether the change was stored.
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

    /// <summary>
    /// Whether the change the failed operation carried was stored: <see cref="StateWriteOutcome.NotApplied"/> unless
    /// the error says otherwise (only driver failures can be <see cref="StateWriteOutcome.Unknown"/>).
    /// </summary>
    public StateWriteOutcome Outcome { get; init; }

    /// <summary>The message with the scope, owner and key appended, as every state error words it.</summary>
    internal static string Compose(string message, StateOwner? owner, string? key) => $"{message} [{Where(owner, key)}]";

    /// <summary>The scope, owner and key of one record (or owner when <paramref name="key"/> is null), as messages name them.</summary>
    internal static string Where(StateOwner? owner, string? key)
    {
        var where = owner is { IsValid: true } o
            ? o.Scope switch
            {
                TypedState.Scope.Agent => $"scope Agent, guild '{KeyRules.Printable(o.GuildId)}', agent '{KeyRules.Printable(o.AgentId)}'",
                TypedState.Scope.Guild => $"scope Guild, guild '{KeyRules.Printable(o.GuildId)}'",
                _ => "scope Global",
            }
            : "owner unknown";
        return key is null ? where : $"{where}, key '{KeyRules.Printable(key)}'";
    }

    /// <summary>Creates an exception whose <paramref name="message"/> already names what it concerns.</summary>
    private protected StateException(string message, StateOwner? owner, StateWriteOutcome outcome, Exception? innerException)
        : base(message, innerException)
    {
        Owner = owner;
        Outcome = outcome;
    }
}
