namespace TypedState;

/// <summary>
/// A timeline operation was refused, or a write was refused because its guild is paused. Nothing was created or
/// changed (<see cref="StateException.Outcome"/> is <see cref="StateWriteOutcome.NotApplied"/>).
/// </summary>
public sealed class StateTimelineException : StateException
{
    /// <summary>Creates the exception for <paramref name="guildId"/>, naming the record concerned when there is one.</summary>
    public StateTimelineException(TimelineFailure failure, string guildId, long? sequence, string message, StateOwner? owner = null, string? key = null)
        : base(message, owner ?? StateOwner.Guild(guildId), key)
    {
        Failure = failure;
        GuildId = guildId;
        Sequence = sequence;
        Outcome = StateWriteOutcome.NotApplied;
    }

    /// <summary>What was refused.</summary>
    public TimelineFailure Failure { get; }

    /// <summary>The guild whose timeline refused.</summary>
    public string GuildId { get; }

    /// <summary>The sequence concerned: the one asked for, or for <see cref="TimelineFailure.Paused"/> where the guild stopped.</summary>
    public long? Sequence { get; }
}
