namespace TypedState;

/// <summary>
/// The storage back-end failed (unreachable, I/O error, locked beyond its timeout, frozen). The inner exception
/// holds the driver's own error, and <see cref="StateException.Outcome"/> says whether the change was stored:
/// <see cref="StateWriteOutcome.NotApplied"/> when the driver knows it was not,
/// <see cref="StateWriteOutcome.Unknown"/> when the request reached the server but its answer was lost and could not
/// be learned, <see cref="StateWriteOutcome.Applied"/> when it was stored and a later step failed.
/// </summary>
public sealed class StateDriverException : StateException
{
    /// <summary>Creates the exception for an operation on one record or owner that applied nothing.</summary>
    public StateDriverException(string driver, string operation, StateOwner? owner, string? key, Exception innerException)
        : this(driver, operation, owner, key, StateWriteOutcome.NotApplied, innerException)
    {
    }

    /// <summary>Creates the exception for an operation on one record or owner with a known <paramref name="outcome"/>.</summary>
    public StateDriverException(string driver, string operation, StateOwner? owner, string? key, StateWriteOutcome outcome, Exception innerException)
        : base($"The {driver} driver failed during {operation}: {innerException?.Message} {Describe(outcome)}", owner, key, innerException)
    {
        Outcome = outcome;
        Driver = driver;
        Operation = operation;
    }

    /// <summary>Creates the exception for a batch of several records, each named in the message.</summary>
    internal StateDriverException(string driver, string operation, IReadOnlyList<Storage.StateWrite> batch, StateWriteOutcome outcome, Exception innerException)
        : base($"The {driver} driver failed during {operation}: {innerException.Message} {Describe(outcome)} [{DescribeBatch(batch)}]", SharedOwner(batch), outcome, innerException)
    {
        Driver = driver;
        Operation = operation;
    }

    /// <summary>The driver's name.</summary>
    public string Driver { get; }

    /// <summary>The operation that failed.</summary>
    public string Operation { get; }

    /// <summary>The owner every entry of <paramref name="batch"/> shares, or null when they differ.</summary>
    private static StateOwner? SharedOwner(IReadOnlyList<Storage.StateWrite> batch)
    {
        var owner = batch[0].Owner;
        for (var i = 1; i < batch.Count; i++)
        {
            if (batch[i].Owner != owner)
            {
                return null;
            }
        }

        return owner;
    }

    /// <summary>Names the first few entries of a batch and counts the rest, so a message stays readable.</summary>
    private static string DescribeBatch(IReadOnlyList<Storage.StateWrite> batch)
    {
        const int named = 4;
        var parts = new List<string>(Math.Min(batch.Count, named) + 1);
        for (var i = 0; i < batch.Count && i < named; i++)
        {
            parts.Add(Where(batch[i].Owner, batch[i].Key));
        }

        if (batch.Count > named)
        {
            parts.Add($"and {batch.Count - named} more");
        }

        return $"batch of {batch.Count}: " + string.Join("; ", parts);
    }

    private static string Describe(StateWriteOutcome outcome) => outcome switch
    {
        StateWriteOutcome.Applied => "The change was stored; only a step after it failed.",
        StateWriteOutcome.Unknown => "The outcome is unknown: the change may or may not be stored; read it before repeating a change that is not idempotent.",
        _ => "Nothing was stored.",
    };
}
