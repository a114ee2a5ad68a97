using System.Diagnostics.CodeAnalysis;

namespace TypedState;

/// <summary>
/// Who owns a record: an agent (guild + agent id), a guild (guild id) or the application (global).
/// Built only through <see cref="Agent"/>, <see cref="Guild"/> and <see cref="Global"/>, so an agent
/// owner without a guild cannot exist.
/// </summary>
public readonly struct StateOwner : IEquatable<StateOwner>
{
    /// <summary>The longest guild or agent id accepted, in UTF-16 code units.</summary>
    public const int MaxIdLength = 256;

    private StateOwner(Scope scope, string guildId, string agentId)
    {
        Scope = scope;
        GuildIdOrEmpty = guildId;
        AgentIdOrEmpty = agentId;
        _hashCode = HashCode.Combine(scope, StringComparer.Ordinal.GetHashCode(guildId), StringComparer.Ordinal.GetHashCode(agentId));
    }

    // Computed once: owners are built once and used as dictionary keys on every operation.
    private readonly int _hashCode;

    /// <summary>The owner of application-wide state.</summary>
    public static StateOwner Global { get; } = new(Scope.Global, string.Empty, string.Empty);

    /// <summary>The scope this owner addresses.</summary>
    public Scope Scope { get; }

    /// <summary>The guild id, or <see langword="null"/> for global state.</summary>
    public string? GuildId => Scope == Scope.Global ? null : GuildIdOrEmpty;

    /// <summary>The agent id, or <see langword="null"/> unless this is an agent owner.</summary>
    public string? AgentId => Scope == Scope.Agent ? AgentIdOrEmpty : null;

    /// <summary>The guild id, empty for global state (the form drivers store).</summary>
    public string GuildIdOrEmpty => field ?? string.Empty;

    /// <summary>The agent id, empty unless this is an agent owner (the form drivers store).</summary>
    public string AgentIdOrEmpty => field ?? string.Empty;

    /// <summary>Whether this value was built by a factory (the default value is not a valid owner).</summary>
    public bool IsValid => Scope is Scope.Agent or Scope.Guild or Scope.Global;

    /// <summary>The owner of one agent's state inside a guild.</summary>
    /// <exception cref="ArgumentException">An id is empty, too long, or contains control characters.</exception>
    public static StateOwner Agent(string guildId, string agentId)
    {
        ValidateId(guildId, nameof(guildId));
        ValidateId(agentId, nameof(agentId));
        return new StateOwner(Scope.Agent, guildId, agentId);
    }

    /// <summary>The owner of a guild's shared state.</summary>
    /// <exception cref="ArgumentException">The id is empty, too long, or contains control characters.</exception>
    public static StateOwner Guild(string guildId)
    {
        ValidateId(guildId, nameof(guildId));
        return new StateOwner(Scope.Guild, guildId, string.Empty);
    }

    /// <summary>
    /// The same owner in another guild: the guild owner of <paramref name="guildId"/>, or the agent of the same id in
    /// it; the global owner stays global. Used to address a fork's copy of a source guild's owner.
    /// </summary>
    public StateOwner InGuild(string guildId) => Scope switch
    {
        Scope.Agent => Agent(guildId, AgentIdOrEmpty),
        Scope.Guild => Guild(guildId),
        _ => this,
    };

    /// <summary>
    /// Rebuilds an owner from the columns a driver stored. Meant for driver authors; the values are validated.
    /// </summary>
    public static StateOwner FromStored(Scope scope, string guildId, string agentId) => scope switch
    {
        Scope.Agent => Agent(guildId, agentId),
        Scope.Guild => Guild(guildId),
        Scope.Global => Global,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown scope."),
    };

    /// <inheritdoc />
    public bool Equals(StateOwner other) =>
        _hashCode == other._hashCode
        && Scope == other.Scope
        && string.Equals(GuildIdOrEmpty, other.GuildIdOrEmpty, StringComparison.Ordinal)
        && string.Equals(AgentIdOrEmpty, other.AgentIdOrEmpty, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is StateOwner other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hashCode;

    /// <summary>Readable form used in messages and logs: <c>agent:guild/agent</c>, <c>guild:guild</c> or <c>global</c>.</summary>
    public override string ToString() => Scope switch
    {
        Scope.Agent => $"agent:{GuildIdOrEmpty}/{AgentIdOrEmpty}",
        Scope.Guild => $"guild:{GuildIdOrEmpty}",
        Scope.Global => "global",
        _ => "(invalid owner)",
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(StateOwner left, StateOwner right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(StateOwner left, StateOwner right) => !left.Equals(right);

    private static void ValidateId(string id, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(id, parameterName);
        var problem = KeyRules.Describe(id, MaxIdLength, allowEmpty: false);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid id '{KeyRules.Printable(id)}': {problem}.", parameterName);
        }
    }
}
