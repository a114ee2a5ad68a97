namespace TypedState;

/// <summary>
/// A pessimistic lock could not be used: not acquired in time, lost (its lease expired and could not be
/// renewed), or fenced out (a newer lock was granted, so this holder's writes are refused).
/// </summary>
public sealed class StateLockException : StateException
{
    /// <summary>Creates the exception.</summary>
    public StateLockException(StateLockFailure failure, StateOwner owner, string? key, long? token, long? newestToken, string message)
        : base(message, owner, key)
    {
        Failure = failure;
        Token = token;
        NewestToken = newestToken;
    }

    /// <summary>What went wrong.</summary>
    public StateLockFailure Failure { get; }

    /// <summary>The fencing token of the lock concerned, when there was one.</summary>
    public long? Token { get; }

    /// <summary>For <see cref="StateLockFailure.FencedOut"/>: the newer token that superseded <see cref="Token"/>.</summary>
    public long? NewestToken { get; }
}
