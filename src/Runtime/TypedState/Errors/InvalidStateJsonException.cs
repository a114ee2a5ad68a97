namespace TypedState;

/// <summary>
/// A raw JSON value handed to <see cref="IStateOperations.SetJsonAsync"/> is not one well-formed JSON value in UTF-8
/// (empty, malformed, truncated, followed by more, or holding invalid UTF-8). Nothing was written.
/// </summary>
public sealed class InvalidStateJsonException : StateException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="owner">The owner of the record.</param>
    /// <param name="key">The key of the record.</param>
    /// <param name="problem">What is wrong with the bytes, a sentence without the record.</param>
    public InvalidStateJsonException(StateOwner owner, string key, string problem)
        : base($"The value is not one well-formed JSON value: {problem} Nothing was written.", owner, key)
    {
        Problem = problem;
    }

    /// <summary>What is wrong with the bytes.</summary>
    public string Problem { get; }
}
