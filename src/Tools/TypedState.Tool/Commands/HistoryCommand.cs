using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TypedState.Timeline;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary><c>typedstate history</c>: a guild's timeline entries after a sequence, in order, streamed.</summary>
internal static class HistoryCommand
{
    private static readonly Argument<string> s_guild = new("guild") { Description = "The guild whose timeline to read." };

    private static readonly Option<long> s_after = new("--after") { Description = "Only entries after this sequence.", DefaultValueFactory = _ => 0 };

    private static readonly Option<int?> s_limit = new("--limit") { Description = "At most this many entries." };

    private static readonly Option<bool> s_values = new("--values") { Description = "Show each entry's value too." };

    public static Command Create()
    {
        var command = new Command("history", "Shows a guild's timeline: every change, event and recorded message, in commit order.").With("typedstate history support --after 120 --limit 20");
        command.Arguments.Add(s_guild);
        command.Options.Add(s_after);
        command.Options.Add(s_limit);
        command.Options.Add(s_values);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var guild = parse.GetRequiredValue(s_guild);
        var limit = parse.GetValue(s_limit) ?? int.MaxValue;
        var values = parse.GetValue(s_values);
        var timeline = await store.State.Timelines.GetAsync(guild, cancellationToken).ConfigureAwait(false)
            ?? throw new ToolException(ExitCodes.NotFound, $"Guild '{guild}' has no timeline.");
        var entries = store.State.Timelines.ReadAsync(guild, parse.GetValue(s_after), cancellationToken).Take(limit);
        if (output.Json)
        {
            await output.WriteJsonAsync(async writer =>
            {
                writer.WriteStartObject();
                TimelineJson.Write(writer, timeline);
                writer.WriteStartArray("entries");
                await foreach (var entry in entries.ConfigureAwait(false))
                {
                    Write(writer, entry, values);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        output.Line(TimelineJson.Describe(timeline));
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            var version = entry.Kind == TimelineEntryKind.Append ? string.Empty : $" v{entry.PreviousVersion}->v{entry.Version}";
            output.Line(string.Create(CultureInfo.InvariantCulture, $"{entry.Sequence,6}  {entry.Timestamp:u}  {entry.Kind,-11} {entry.Owner} '{entry.Key}'{version}"));
            if (values && entry.Kind is TimelineEntryKind.Set or TimelineEntryKind.Append)
            {
                output.Line(ToolOutput.Pretty(entry.Value));
            }
        }

        return ExitCodes.Success;
    }

    private static void Write(Utf8JsonWriter writer, TimelineEntry entry, bool values)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", entry.Sequence);
        writer.WriteString("kind", entry.Kind.ToString());
        OwnerJson.Write(writer, entry.Owner);
        writer.WriteString("key", entry.Key);
        writer.WriteNumber("previousVersion", entry.PreviousVersion);
        writer.WriteNumber("version", entry.Version);
        writer.WriteString("commit", entry.CommitId.ToString("N"));
        writer.WriteString("time", entry.Timestamp);
        if (values && entry.Kind is TimelineEntryKind.Set or TimelineEntryKind.Append)
        {
            RecordJson.WriteValue(writer, "value", entry.Value);
        }

        writer.WriteEndObject();
    }
}
