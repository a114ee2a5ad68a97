namespace TypedState.Storage;

/// <summary>
/// Thrown by <see cref="IStateDriver.CommitAsync"/> when the batch may have reached the store but its answer was
/// lost (the connection broke or timed out after the request was sent). Any other exception from a commit means
/// nothing was applied. <see cref="StateManager"/> then repeats the batch under the same <see cref="CommitId"/>
/// until it learns the outcome; callers of the manager see a <see cref="StateDriverException"/> instead.
/// </summary>
public sealed class CommitOutcomeUnknownException : Exception
{
    /// <summary>Creates the exception around the driver's own error.</summary>
    /// <param name="message">What was lost, in the driver's words.</param>
    /// <param name="innerException">The driver's error.</param>
    public CommitOutcomeUnknownException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
