using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// <c>typedstate quarantine</c>: moves a record that cannot be read or migrated out of the application's way (kept whole,
/// with the reason), <c>quarantine list</c> shows what is kept, <c>quarantine restore</c> puts one back onto its empty key.
/// </summary>
internal static class QuarantineCommand
{
    private static readonly Option<string?> s_key = new("--key") { Description = "The record's key." };

    private static readonly Option<string?> s_reason = new("--reason") { Description = "Why the record is moved (kept with it)." };

    private static readonly Option<long?> s_expected = new("--expected-version") { Description = "Move it only if it is at this version." };

    private static readonly Option<bool> s_values = new("--values") { Description = "Show each kept value too." };

    private static readonly Argument<string?> s_id = new("id") { Description = "The quarantine id (from 'quarantine list'); or name the record with an owner and --key.", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("quarantine", "Moves one record out of the application's way, kept whole with a reason.")
            .With("typedstate quarantine --guild support --key Notes --reason \"not JSON\"", "typedstate quarantine list", "typedstate quarantine restore 3f9a1c0e4b7d2a61-7");
        OwnerOptions.AddTo(command);
        command.Options.Add(s_key);
        command.Options.Add(s_reason);
        command.Options.Add(s_expected);
        CommandRunner.SetBody(command, MoveAsync);
        command.Subcommands.Add(List());
        command.Subcommands.Add(Restore());
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Lists the quarantined records: where each came from, its version, when and why.")
            .With("typedstate quarantine list", "typedstate quarantine list --json --values");
        command.Options.Add(s_values);
        CommandRunner.SetBody(command, ListAsync);
        return command;
    }

    private static Command Restore()
    {
        var command = new Command("restore", "Puts a quarantined record back at its owner and key, if nothing is stored there now.")
            .With("typedstate quarantine restore 3f9a1c0e4b7d2a61-7", "typedstate quarantine restore --guild support --agent triage --key Notes");
        command.Arguments.Add(s_id);
        OwnerOptions.AddTo(command);
        command.Options.Add(s_key);
        CommandRunner.SetBody(command, RestoreAsync);
        return command;
    }

    private static async Task<int> MoveAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var key = parse.GetValue(s_key);
        var reason = parse.GetValue(s_reason);
        if (string.IsNullOrEmpty(key) || string.IsNullOrWhiteSpace(reason))
        {
            throw new ToolException(ExitCodes.Usage, "Name the record with --global, --guild <id> or --guild <id> --agent <id>, and --key <key>; say why with --reason <text>. See 'typedstate quarantine --help'.");
        }

        var owner = OwnerOptions.Resolve(parse);
        var moved = await new StateQuarantine(store.State).QuarantineAsync(owner, key, reason, parse.GetValue(s_expected), cancellationToken).ConfigureAwait(false);
        if (output.Json)
        {
            output.WriteJson(writer => QuarantineJson.Write(writer, moved, withValue: false));
        }
        else
        {
            output.Line($"Quarantined {moved.Owner} key '{moved.Key}' version {N(moved.Version)} as {moved.Id}.");
        }

        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var values = parse.GetValue(s_values);
        var records = new StateQuarantine(store.State).ListAsync(cancellationToken);
        if (output.Json)
        {
            await output.WriteJsonAsync(async writer =>
            {
                writer.WriteStartArray();
                await foreach (var record in records.ConfigureAwait(false))
                {
                    QuarantineJson.Write(writer, record, values);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        // Two tables that fit 80 columns: where each record came from, then why (the reasons are long, and wrap).
        // Ids and times never wrap (they are copied into 'restore'); owners, keys and reasons do.
        var kept = ToolOutput.Table("Id", "Owner", "Key", "Version", "Quarantined");
        var reasons = ToolOutput.Table("Id", "Reason");
        foreach (var column in (TableColumn[])[kept.Columns[0], kept.Columns[3], kept.Columns[4], reasons.Columns[0]])
        {
            column.NoWrap = true;
        }

        var count = 0;
        await foreach (var record in records.ConfigureAwait(false))
        {
            count++;
            kept.AddRow(Markup.Escape(record.Id), Markup.Escape(record.Owner.ToString()), Markup.Escape(record.Key), N(record.Version), QuarantineJson.When(record.QuarantinedAt));
            reasons.AddRow(Markup.Escape(record.Id), Markup.Escape(record.Reason));
            if (values)
            {
                reasons.AddRow(string.Empty, Markup.Escape(ToolOutput.Pretty(record.Value)));
            }
        }

        output.Line(store.Description);
        output.Line($"{count} quarantined record(s).");
        if (count > 0)
        {
            output.Write(kept);
            output.Write(reasons);
        }

        return ExitCodes.Success;
    }

    private static async Task<int> RestoreAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var quarantine = new StateQuarantine(store.State);
        var id = parse.GetValue(s_id);
        var key = parse.GetValue(s_key);
        QuarantinedRecord? record;
        if (id is not null && key is null && parse.GetValue(OwnerOptions.Guild) is null && !parse.GetValue(OwnerOptions.Global))
        {
            record = await quarantine.GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new ToolException(ExitCodes.NotFound, $"No quarantined record has the id '{id}' (see 'typedstate quarantine list').");
        }
        else if (id is null && !string.IsNullOrEmpty(key))
        {
            record = await quarantine.FindAsync(OwnerOptions.Resolve(parse), key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new ToolException(ExitCodes.Usage, "Name the quarantined record by its id, or by its owner (--global, --guild <id> [--agent <id>]) and --key <key>; not both.");
        }

        long version;
        try
        {
            version = await quarantine.RestoreAsync(record.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (StateConflictException conflict) when (conflict.Owner == record.Owner && conflict.Key == record.Key)
        {
            throw new ToolException(ExitCodes.Refused, $"Not restored: {record.Owner} key '{record.Key}' holds a record now (version {N(conflict.ActualVersion)}). Move or delete it first; nothing was changed.");
        }

        if (output.Json)
        {
            output.WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("id", record.Id);
                OwnerJson.Write(writer, record.Owner);
                writer.WriteString("key", record.Key);
                writer.WriteNumber("version", version);
                writer.WriteEndObject();
            });
        }
        else
        {
            output.Line($"Restored {record.Id} to {record.Owner} key '{record.Key}' at version {N(version)}.");
        }

        return ExitCodes.Success;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
