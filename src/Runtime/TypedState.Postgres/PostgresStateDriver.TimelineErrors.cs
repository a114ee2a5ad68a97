using Npgsql;
using TypedState.Timeline;

namespace TypedState.Postgres;

// The refusals of timeline functions (SQLSTATE class TS, PostgresSql.TimelineLayout.cs) as StateTimelineException,
// with the messages every driver gives.
public sealed partial class PostgresStateDriver
{
    /// <summary>Whether the server refused a timeline operation (nothing changed: the statement's transaction rolled back).</summary>
    private static bool IsTimelineRefusal(PostgresException error) =>
        error.SqlState is PostgresSql.TimelineNotStarted or PostgresSql.TimelineBeyondHead or PostgresSql.TimelinePruned
            or PostgresSql.TimelineGuildExists or PostgresSql.TimelineHasForks;

    /// <summary>The refusal of an operation on <paramref name="guildId"/>'s timeline at <paramref name="sequence"/> (the fork's target for GuildExists).</summary>
    private static StateTimelineException TimelineRefusal(PostgresException error, string guildId, long? sequence, string? forkId = null)
    {
        var detail = error.Detail;
        return error.SqlState switch
        {
            PostgresSql.TimelineNotStarted => NotStarted(guildId),
            PostgresSql.TimelineBeyondHead => new StateTimelineException(
                TimelineFailure.BeyondHead, guildId, sequence, $"Sequence {sequence} of guild '{guildId}' is beyond its head {detail}."),
            PostgresSql.TimelinePruned => new StateTimelineException(
                TimelineFailure.Pruned,
                guildId,
                sequence,
                $"Sequence {sequence} of guild '{guildId}' was pruned: its state can be read from sequence {detail} on."),
            PostgresSql.TimelineGuildExists => new StateTimelineException(
                TimelineFailure.GuildExists,
                forkId ?? guildId,
                sequence,
                $"Guild '{guildId}' was not forked: the target guild '{forkId}' already holds state or a timeline."),
            PostgresSql.TimelineHasForks => new StateTimelineException(
                TimelineFailure.HasForks,
                guildId,
                sequence,
                $"The guild was not removed: its timeline has live forks ({detail}) that still read through it. Detach them first (IGuildTimelines.DetachAsync), or remove them."),
            _ => throw new ArgumentOutOfRangeException(nameof(error), error.SqlState, "Not a timeline refusal."),
        };
    }

    private static StateTimelineException NotStarted(string guildId) =>
        new(TimelineFailure.NotStarted, guildId, null, $"Guild '{guildId}' has no timeline: it was never started, or the guild was removed.");

    /// <summary>The guild of an owner's timeline; global state belongs to none.</summary>
    private static string TimelineGuild(StateOwner owner) =>
        owner.Scope == Scope.Global
            ? throw new ArgumentException("Global state belongs to no guild and has no timeline.", nameof(owner))
            : owner.GuildIdOrEmpty;

    /// <summary>Reads a timelines row (<c>guild_id, head, paused_at, parent, fork_sequence, retained_from</c>) from <paramref name="ordinal"/> on.</summary>
    private static GuildTimeline ReadTimelineRow(NpgsqlDataReader reader, int ordinal = 0) => new(
        reader.GetString(ordinal),
        reader.GetInt64(ordinal + 1),
        reader.IsDBNull(ordinal + 2) ? null : reader.GetInt64(ordinal + 2),
        reader.IsDBNull(ordinal + 3) ? null : reader.GetString(ordinal + 3),
        reader.GetInt64(ordinal + 4),
        reader.GetInt64(ordinal + 5));

    /// <summary>The guild a logged-path error names (the DETAIL of <see cref="PostgresSql.GuildIsLogged"/>).</summary>
    private static string LoggedGuildOf(PostgresException error) => error.Detail ?? string.Empty;

    private static NpgsqlParameter<long> SequenceParameter(long sequence) => new("sequence", sequence);
}
