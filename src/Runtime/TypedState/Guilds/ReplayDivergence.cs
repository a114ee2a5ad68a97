using TypedState.Timeline;

namespace TypedState.Guilds;

/// <summary>Where a replay first did something other than the recorded run (<see cref="GuildReplay"/>).</summary>
/// <param name="Message">The recorded message whose handling diverged.</param>
/// <param name="Expected">The recorded change that the replay did not repeat, or null when the replay did more.</param>
/// <param name="Actual">The replay's change in its place, or null when the replay did less.</param>
/// <param name="Description">What differs, in words.</param>
public sealed record ReplayDivergence(RecordedMessage Message, TimelineEntry? Expected, TimelineEntry? Actual, string Description);
