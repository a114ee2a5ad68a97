using System.CommandLine;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary><c>typedstate get</c>: one record of an owner, pretty JSON with its version.</summary>
internal static class GetCommand
{
    private static readonly Argument<string> s_key = new("key") { Description = "The record's key." };

    public static Command Create()
    {
        var command = new Command("get", "Shows one record of an owner: its value as JSON and its version.").With("typedstate get Notes --guild support --agent triage");
        command.Arguments.Add(s_key);
        OwnerOptions.AddTo(command);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var owner = OwnerOptions.Resolve(parse);
        var key = parse.GetRequiredValue(s_key);
        var record = await store.State.GetRecordAsync(owner, key, cancellationToken).ConfigureAwait(false)
            ?? throw new ToolException(ExitCodes.NotFound, $"No record '{key}' for {owner}.");
        if (output.Json)
        {
            output.WriteJson(writer => RecordJson.Write(writer, owner, record, withValue: true));
        }
        else
        {
            output.Line($"{owner} key '{key}' version {record.Version} ({record.Value.Length} bytes)");
            output.Line(ToolOutput.Pretty(record.Value));
        }

        return ExitCodes.Success;
    }
}
