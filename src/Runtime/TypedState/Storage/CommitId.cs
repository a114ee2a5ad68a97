namespace TypedState.Storage;

/// <summary>
/// Names one logical commit, so that a batch sent again after its answer was lost is applied at most once
/// (<see cref="IStateDriver.CommitAsync"/>). <see cref="None"/> asks for no such memory.
/// </summary>
/// <param name="Value">The id; <see cref="Guid.Empty"/> for <see cref="None"/>.</param>
public readonly record struct CommitId(Guid Value)
{
    /// <summary>No id: the driver need not remember the batch, and a repeat applies it again.</summary>
    public static CommitId None => default;

    /// <summary>Whether this is <see cref="None"/>.</summary>
    public bool IsNone => Value == Guid.Empty;

    /// <summary>
    /// A fresh id: an RFC 9562 version 7 UUID (<see cref="Guid.CreateVersion7()"/>), 48 bits of Unix milliseconds
    /// followed by 74 random bits. Ids made later sort after earlier ones (to the millisecond), so the tables keyed
    /// by them grow at one edge instead of at a random page per commit; two ids of the same millisecond still differ
    /// by their 74 random bits. Any other id, random or not, is accepted as well.
    /// </summary>
    public static CommitId New() => new(Guid.CreateVersion7());

    /// <summary>The id as 32 hexadecimal digits, the form drivers store.</summary>
    public override string ToString() => Value.ToString("N");
}
