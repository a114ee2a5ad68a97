namespace TypedState.Redis;

/// <summary>
/// A transaction (one batch of writes, checks and fences) spans owners whose Redis names lie in different hash slots
/// of a Redis Cluster — global state together with a guild, or two guilds — so no single script can apply it
/// atomically. Nothing was applied. A guild's own records and those of its agents share one slot; global state has its
/// own. Only a cluster refuses such a batch: a single Redis server applies it as one script.
/// </summary>
public sealed class CrossSlotTransactionException : StateException
{
    /// <summary>Creates the exception naming the owners the batch touched, in their groups, and one key of the second group.</summary>
    public CrossSlotTransactionException(IReadOnlyList<StateOwner> owners, StateOwner owner, string? key)
        : base(
            $"The transaction was not applied: on a Redis Cluster one transaction may touch one guild (with its agents) or global state " +
            $"only, and this one touches {Describe(owners)}, whose records lie in different hash slots, so no single atomic script can " +
            "apply it. Split it into one transaction per guild (or one for global state).",
            owner,
            key)
    {
        Owners = owners;
    }

    /// <summary>One owner of each slot group the transaction touched, in the order the batch named them.</summary>
    public IReadOnlyList<StateOwner> Owners { get; }

    private static string Describe(IReadOnlyList<StateOwner> owners) =>
        string.Join(" and ", owners.Select(static o => o.Scope == TypedState.Scope.Global ? "global state" : $"guild '{o.GuildIdOrEmpty}'"));
}
