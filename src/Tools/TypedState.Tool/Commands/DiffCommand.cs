using System.CommandLine;
using System.Text.Json;
using TypedState.Timeline;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary><c>typedstate diff</c>: where two guilds' timelines part, what each did since, and the records that differ now.</summary>
internal static class DiffCommand
{
    private static readonly Argument<string> s_left = new("left") { Description = "A guild (typically the source)." };

    private static readonly Argument<string> s_right = new("right") { Description = "Another guild (typically its fork)." };

    public static Command Create()
    {
        var command = new Command("diff", "Compares two guilds' timelines: shared history, entries since, records that differ.")
            .With("typedstate diff support support-what-if");
        command.Arguments.Add(s_left);
        command.Arguments.Add(s_right);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var diff = await store.State.Timelines.DiffAsync(parse.GetRequiredValue(s_left), parse.GetRequiredValue(s_right), cancellationToken).ConfigureAwait(false);
        if (output.Json)
        {
            output.WriteJson(writer => Write(writer, diff));
            return ExitCodes.Success;
        }

        output.Line(diff.CommonGuildId is { } common
            ? $"'{diff.Left}' and '{diff.Right}' share the history of '{common}' up to sequence {diff.CommonSequence}."
            : $"'{diff.Left}' and '{diff.Right}' share no history.");
        output.Line($"Since then: {diff.LeftSince.Count} entries in '{diff.Left}', {diff.RightSince.Count} in '{diff.Right}'.");
        output.Line($"Records that differ: {diff.Records.Count}");
        foreach (var record in diff.Records)
        {
            var owner = record.AgentId is { } agent ? $"agent {agent}" : "guild";
            output.Line($"  {owner} '{record.Key}': {Describe(record.Left)} | {Describe(record.Right)}");
        }

        return ExitCodes.Success;
    }

    private static string Describe(SnapshotRecord? record) =>
        record is null ? "absent" : $"v{record.Version} {System.Text.Encoding.UTF8.GetString(record.Value.Span)}";

    private static void Write(Utf8JsonWriter writer, TimelineDiff diff)
    {
        writer.WriteStartObject();
        writer.WriteString("left", diff.Left);
        writer.WriteString("right", diff.Right);
        writer.WriteString("commonGuild", diff.CommonGuildId);
        writer.WriteNumber("commonSequence", diff.CommonSequence);
        writer.WriteNumber("leftSince", diff.LeftSince.Count);
        writer.WriteNumber("rightSince", diff.RightSince.Count);
        writer.WriteStartArray("records");
        foreach (var record in diff.Records)
        {
            writer.WriteStartObject();
            writer.WriteString("scope", record.Scope.ToString());
            writer.WriteString("agent", record.AgentId);
            writer.WriteString("key", record.Key);
            Side(writer, "left", record.Left);
            Side(writer, "right", record.Right);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Side(Utf8JsonWriter writer, string name, SnapshotRecord? record)
    {
        if (record is null)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartObject(name);
        writer.WriteNumber("version", record.Version);
        RecordJson.WriteValue(writer, "value", record.Value);
        writer.WriteEndObject();
    }
}
