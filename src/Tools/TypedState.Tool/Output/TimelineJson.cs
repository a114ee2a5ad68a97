using System.Text.Json;
using TypedState.Timeline;

namespace TypedState.Tool.Output;

/// <summary>A guild timeline as JSON properties and as one line of text.</summary>
internal static class TimelineJson
{
    public static void Write(Utf8JsonWriter writer, GuildTimeline timeline)
    {
        writer.WriteString("guild", timeline.GuildId);
        writer.WriteNumber("head", timeline.Head);
        writer.WriteBoolean("paused", timeline.IsPaused);
        if (timeline.PausedAt is { } pausedAt)
        {
            writer.WriteNumber("pausedAt", pausedAt);
        }

        if (timeline.ForkedFrom is { } source)
        {
            writer.WriteString("forkedFrom", source);
            writer.WriteNumber("forkSequence", timeline.ForkSequence);
        }

        writer.WriteNumber("retainedFrom", timeline.RetainedFrom);
    }

    public static void WriteObject(Utf8JsonWriter writer, GuildTimeline timeline)
    {
        writer.WriteStartObject();
        Write(writer, timeline);
        writer.WriteEndObject();
    }

    public static string Describe(GuildTimeline timeline)
    {
        var paused = timeline.PausedAt is { } at ? $", paused at {at}" : string.Empty;
        var fork = timeline.ForkedFrom is { } source ? $", forked from '{source}' at {timeline.ForkSequence}" : string.Empty;
        var pruned = timeline.RetainedFrom > 0 ? $", history from {timeline.RetainedFrom}" : string.Empty;
        return $"Guild '{timeline.GuildId}': head {timeline.Head}{paused}{fork}{pruned}.";
    }
}
