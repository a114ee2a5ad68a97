namespace TypedState;

/// <summary>Why a quarantine operation was refused (<see cref="StateQuarantineException.Failure"/>).</summary>
public enum QuarantineFailure
{
    /// <summary>No quarantined record has the id, or none was quarantined from the owner and key named.</summary>
    NotFound,

    /// <summary>Several quarantined records come from the owner and key named: the one meant must be named by its id.</summary>
    Ambiguous,
}
