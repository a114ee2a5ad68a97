namespace TypedState.Guilds;

/// <summary>What a replay did (<see cref="GuildReplay.RunAsync"/>).</summary>
/// <param name="ForkGuildId">The fork the messages were replayed against; it keeps the replay's state and timeline.</param>
/// <param name="FromSequence">The source's sequence the fork started at.</param>
/// <param name="ToSequence">The last source sequence replayed.</param>
/// <param name="MessagesReplayed">How many recorded messages were delivered again (up to and including a divergent one).</param>
/// <param name="Divergence">The first divergence, or null when the replay repeated every recorded change.</param>
public sealed record ReplayReport(string ForkGuildId, long FromSequence, long ToSequence, int MessagesReplayed, ReplayDivergence? Divergence)
{
    /// <summary>Whether the replay did something other than the recorded run.</summary>
    public bool Diverged => Divergence is not null;
}
