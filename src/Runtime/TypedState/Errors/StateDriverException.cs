namespace TypedState;

/// <summary>
/// The storage back-end failed (unreachable, I/O error, locked beyond its timeout). The operation did not
/// complete; the inner exception holds the driver's own error.
/// </summary>
public sealed class StateDriverException : StateException
{
    /// <summary>Creates the exception for an operation on one record or owner.</summary>
    public StateDriverException(string driver, string operation, StateOwner? owner, string? key, Exception innerException)
        : base($"The {driver} driver failed during {operation}: {innerException.Message}", owner, key, innerException)
    {
        Driver = driver;
        Operation = operation;
    }

    /// <summary>The driver's name.</summary>
    public string Driver { get; }

    /// <summary>The operation that failed.</summary>
    public string Operation { get; }
}
