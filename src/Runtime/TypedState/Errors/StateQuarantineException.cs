namespace TypedState;

/// <summary>
/// A quarantine operation found no quarantined record to act on, or more than one. Nothing was changed
/// (<see cref="StateException.Outcome"/> is <see cref="StateWriteOutcome.NotApplied"/>).
/// </summary>
public sealed class StateQuarantineException : StateException
{
    /// <summary>Creates the exception, naming the owner and key the quarantined record came from when they are known.</summary>
    public StateQuarantineException(QuarantineFailure failure, string? quarantineId, string message, StateOwner? owner = null, string? key = null)
        : base(message, owner, key)
    {
        Failure = failure;
        QuarantineId = quarantineId;
        Outcome = StateWriteOutcome.NotApplied;
    }

    /// <summary>What was refused.</summary>
    public QuarantineFailure Failure { get; }

    /// <summary>The quarantine id asked for, when one was named.</summary>
    public string? QuarantineId { get; }
}
