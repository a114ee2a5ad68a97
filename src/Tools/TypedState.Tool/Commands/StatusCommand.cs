using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using System.Text.Json;
using TypedState.Tool.Assemblies;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// <c>typedstate status</c>: per scope the owners, records and bytes; per state type (records carrying a
/// <c>$version</c>, by key) and stored schema version the records and bytes; the records that are not JSON; how many
/// records are quarantined. Reads the store page by page, keeping only the tallies.
/// </summary>
internal static class StatusCommand
{
    private const int CorruptShown = 20;

    private static readonly Option<FileInfo> s_assembly = AppAssembly.CreateOption(required: false);

    public static Command Create()
    {
        var command = new Command("status", "Counts records per scope, per state type and stored schema version; lists corrupt records.")
            .With("typedstate status", "typedstate status --driver sqlite --connection \"Data Source=state.db\" --json", "typedstate status --assembly bin/Release/net10.0/App.dll");
        command.Options.Add(s_assembly);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var tally = new StatusTally(parse.GetValue(s_assembly) is { } assembly ? AppAssembly.LoadSchemas(assembly) : null);
        await foreach (var (owner, record) in StoreWalk.RecordsAsync(store.State, cancellationToken).ConfigureAwait(false))
        {
            tally.Add(owner, record);
        }

        // The quarantine is the store's own place, outside the walk: counted apart.
        await foreach (var _ in new StateQuarantine(store.State).ListAsync(cancellationToken).ConfigureAwait(false))
        {
            tally.Quarantined++;
        }

        if (output.Json)
        {
            output.WriteJson(writer => WriteJson(writer, store, tally));
        }
        else
        {
            WriteTables(output, store, tally);
        }

        return ExitCodes.Success;
    }

    private static void WriteTables(ToolOutput output, StoreSession store, StatusTally tally)
    {
        output.Line(store.Description);
        var scopes = ToolOutput.Table("Scope", "Owners", "Records", "Bytes");
        foreach (var (scope, counts) in tally.Scopes)
        {
            scopes.AddRow(scope.ToString(), N(counts.Owners), N(counts.Records), N(counts.Bytes));
        }

        output.Write(scopes);
        var types = tally.KnowsCode
            ? ToolOutput.Table("Scope", "Type (key)", "Version", "Code", "Records", "Bytes")
            : ToolOutput.Table("Scope", "Type (key)", "Version", "Records", "Bytes");
        foreach (var (type, counts) in tally.Types)
        {
            string[] row = [type.Scope.ToString(), Markup.Escape(type.Key), type.Version?.ToString(CultureInfo.InvariantCulture) ?? "-"];
            string[] code = tally.KnowsCode ? [tally.CodeVersion(type.Scope, type.Key)?.ToString(CultureInfo.InvariantCulture) ?? "-"] : [];
            types.AddRow([.. row, .. code, N(counts.Records), N(counts.Bytes)]);
        }

        output.Write(types);
        output.Line($"Corrupt records (not JSON): {tally.CorruptCount}");
        foreach (var (owner, key) in tally.Corrupt.Take(CorruptShown))
        {
            output.Line($"  {owner} key '{key}'");
        }

        output.Line($"Quarantined records: {N(tally.Quarantined)}" + (tally.Quarantined > 0 ? " (see 'typedstate quarantine list')" : string.Empty));
        if (tally.KnowsCode)
        {
            output.Line($"Newer than the code: {tally.NewerCount}");
            foreach (var (owner, key, version, code) in tally.Newer.Take(CorruptShown))
            {
                output.Line($"  {owner} key '{key}' v{version} (code v{code})");
            }
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, StoreSession store, StatusTally tally)
    {
        writer.WriteStartObject();
        writer.WriteString("store", store.Description);
        writer.WriteStartArray("scopes");
        foreach (var (scope, counts) in tally.Scopes)
        {
            writer.WriteStartObject();
            writer.WriteString("scope", scope.ToString());
            writer.WriteNumber("owners", counts.Owners);
            writer.WriteNumber("records", counts.Records);
            writer.WriteNumber("bytes", counts.Bytes);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("types");
        foreach (var (type, counts) in tally.Types)
        {
            writer.WriteStartObject();
            writer.WriteString("scope", type.Scope.ToString());
            writer.WriteString("key", type.Key);
            if (type.Version is { } version)
            {
                writer.WriteNumber("version", version);
            }
            else
            {
                writer.WriteNull("version");
            }

            if (tally.CodeVersion(type.Scope, type.Key) is { } code)
            {
                writer.WriteNumber("codeVersion", code);
            }

            writer.WriteNumber("records", counts.Records);
            writer.WriteNumber("bytes", counts.Bytes);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (tally.KnowsCode)
        {
            WriteNewer(writer, tally);
        }

        writer.WriteNumber("corruptCount", tally.CorruptCount);
        writer.WriteStartArray("corrupt");
        foreach (var (owner, key) in tally.Corrupt)
        {
            writer.WriteStartObject();
            OwnerJson.Write(writer, owner);
            writer.WriteString("key", key);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("quarantinedCount", tally.Quarantined);
        writer.WriteEndObject();
    }

    private static void WriteNewer(Utf8JsonWriter writer, StatusTally tally)
    {
        writer.WriteNumber("newerThanCodeCount", tally.NewerCount);
        writer.WriteStartArray("newerThanCode");
        foreach (var (owner, key, version, code) in tally.Newer)
        {
            writer.WriteStartObject();
            OwnerJson.Write(writer, owner);
            writer.WriteString("key", key);
            writer.WriteNumber("version", version);
            writer.WriteNumber("codeVersion", code);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
