using System.Security.Cryptography;

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

    /// <summary>A fresh random id (122 random bits, as <see cref="Guid.NewGuid"/>).</summary>
    public static CommitId New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new CommitId(new Guid(bytes));
    }

    /// <summary>The id as 32 hexadecimal digits, the form drivers store.</summary>
    public override string ToString() => Value.ToString("N");
}
