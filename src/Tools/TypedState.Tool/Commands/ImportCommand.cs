using System.CommandLine;
using TypedState.Storage;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// <c>typedstate import</c>: the records of an export file into a store. The whole file is checked against its trailer
/// before anything is written; records are then written in batches that only create. A record the store already holds
/// with the same content is skipped, so an interrupted import can be run again; one it holds with other content is
/// refused unless <c>--overwrite</c>.
/// </summary>
internal static class ImportCommand
{
    private const int BatchSize = 200;

    private static readonly Option<FileInfo> s_in = new("--in") { Description = "The export file (.ndjson or .ndjson.gz).", Required = true };

    private static readonly Option<bool> s_overwrite = new("--overwrite") { Description = "Replace records the store holds with other content." };

    public static Command Create()
    {
        var command = new Command("import", "Writes the records of an export file into the store; refuses to overwrite unless told.")
            .With("typedstate import --in state.ndjson.gz --config appsettings.json");
        command.Options.Add(s_in);
        command.Options.Add(s_overwrite);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var path = parse.GetRequiredValue(s_in).FullName;

        // First pass: the file is whole and matches its trailer, or nothing is written.
        var (inFile, sha256) = await ExportFile.VerifyAsync(path, cancellationToken).ConfigureAwait(false);
        var counts = new ImportCounts { InFile = inFile };
        var batch = new List<ExportFile.Line>(BatchSize);
        await foreach (var line in ExportFile.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(line);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(store.State, batch, parse.GetValue(s_overwrite), counts, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        await WriteAsync(store.State, batch, parse.GetValue(s_overwrite), counts, cancellationToken).ConfigureAwait(false);
        if (output.Json)
        {
            output.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("records", counts.InFile);
                w.WriteNumber("written", counts.Written);
                w.WriteNumber("alreadyThere", counts.AlreadyThere);
                w.WriteNumber("replaced", counts.Replaced);
                w.WriteString("sha256", sha256);
                w.WriteEndObject();
            });
        }
        else
        {
            output.Line($"Imported {counts.InFile} record(s) into {store.Description}: {counts.Written} written, {counts.AlreadyThere} already there, {counts.Replaced} replaced; content sha256 {sha256}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>Creates the batch's records in one commit; when one exists, goes record by record.</summary>
    private static async Task WriteAsync(StateManager state, List<ExportFile.Line> batch, bool overwrite, ImportCounts counts, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var writes = batch.Select(line => new StateWrite(line.Owner, line.Record.Key, StateWriteKind.Set, line.Record.Value, 0)).ToList();
        var result = await state.Driver.CommitAsync(writes, [], CommitId.New(), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            counts.Written += batch.Count;
            return;
        }

        Refuse(result, batch[result.ConflictIndex]);
        foreach (var line in batch)
        {
            await WriteOneAsync(state, line, overwrite, counts, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteOneAsync(StateManager state, ExportFile.Line line, bool overwrite, ImportCounts counts, CancellationToken cancellationToken)
    {
        var (owner, record) = (line.Owner, line.Record);
        var existing = await state.Driver.ReadAsync(owner, record.Key, cancellationToken).ConfigureAwait(false);
        if (existing is { } held && SameContent(held.Value, record.Value))
        {
            counts.AlreadyThere++;
            return;
        }

        if (existing is not null && !overwrite)
        {
            throw new ToolException(ExitCodes.Refused, $"{owner} key '{record.Key}' (line {line.Number}) already holds other content; nothing of it was overwritten. Pass --overwrite to replace it.");
        }

        var expected = existing?.Version ?? 0;
        var result = await state.Driver.CommitAsync([new StateWrite(owner, record.Key, StateWriteKind.Set, record.Value, expected)], [], CommitId.New(), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            Refuse(result, line);
            throw new ToolException(ExitCodes.Refused, $"{owner} key '{record.Key}' (line {line.Number}) changed while it was imported; run the import again.");
        }

        if (existing is null)
        {
            counts.Written++;
        }
        else
        {
            counts.Replaced++;
        }
    }

    /// <summary>Throws for a refusal other than an existing record (a paused guild, a fence).</summary>
    private static void Refuse(CommitResult result, ExportFile.Line line)
    {
        if (result.Failure != CommitFailure.Version)
        {
            throw new ToolException(ExitCodes.Refused, $"The store refused {line.Owner} key '{line.Record.Key}' (line {line.Number}): {result.Failure}.");
        }
    }

    private static bool SameContent(ReadOnlyMemory<byte> held, ReadOnlyMemory<byte> imported) =>
        held.Span.SequenceEqual(imported.Span)
        || (CanonicalJson.TryWrite(held.Span) is { } a && CanonicalJson.TryWrite(imported.Span) is { } b && a.AsSpan().SequenceEqual(b));

    private sealed class ImportCounts
    {
        public long InFile { get; set; }

        public long Written { get; set; }

        public long AlreadyThere { get; set; }

        public long Replaced { get; set; }
    }
}
