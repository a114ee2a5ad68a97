using System.CommandLine;
using System.Globalization;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary><c>typedstate list</c>: an owner's records whose keys start with a literal prefix, streamed.</summary>
internal static class ListCommand
{
    private static readonly Option<string> s_prefix = new("--prefix") { Description = "Only keys starting with this literal text (no wildcards).", DefaultValueFactory = _ => string.Empty };

    private static readonly Option<bool> s_values = new("--values") { Description = "Show each value too." };

    public static Command Create()
    {
        var command = new Command("list", "Lists an owner's records by key prefix, with versions and sizes.").With("typedstate list --guild support --prefix tickets/ --json");
        OwnerOptions.AddTo(command);
        command.Options.Add(s_prefix);
        command.Options.Add(s_values);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var owner = OwnerOptions.Resolve(parse);
        var prefix = parse.GetValue(s_prefix) ?? string.Empty;
        var values = parse.GetValue(s_values);
        var records = store.State.ListRecordsAsync(owner, prefix, cancellationToken);
        if (output.Json)
        {
            // Streamed: one record at a time goes to the writer, never the whole listing in memory.
            await output.WriteJsonAsync(async writer =>
            {
                writer.WriteStartArray();
                await foreach (var record in records.ConfigureAwait(false))
                {
                    RecordJson.Write(writer, owner, record, values);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var count = 0;
        await foreach (var record in records.ConfigureAwait(false))
        {
            count++;
            var shape = RecordShape.Of(record.Value);
            var schema = shape.SchemaVersion is { } v ? $" schema v{v}" : shape.IsJson ? string.Empty : " NOT JSON";
            output.Line($"{record.Key}  version {record.Version.ToString(CultureInfo.InvariantCulture)}  {record.Value.Length.ToString(CultureInfo.InvariantCulture)} bytes{schema}");
            if (values)
            {
                output.Line(ToolOutput.Pretty(record.Value));
            }
        }

        output.Line($"{count} record(s) of {owner} under '{prefix}'.");
        return ExitCodes.Success;
    }
}
