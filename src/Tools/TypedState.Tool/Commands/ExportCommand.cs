using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// <c>typedstate export</c>: every record of the store as NDJSON (a header line, one line per record with its owner,
/// key, version and value, and a trailer with the count and the content hash), gzip-compressed when asked. Written to
/// a side file and renamed when complete, so an interrupted export never leaves a file that looks whole.
/// </summary>
internal static class ExportCommand
{
    /// <summary>The export format's version, in the header line.</summary>
    public const int Format = 1;

    private static readonly Option<FileInfo> s_out = new("--out") { Description = "The file to write (.ndjson, or .ndjson.gz with --gzip).", Required = true };

    private static readonly Option<bool> s_gzip = new("--gzip") { Description = "Compress the file with gzip." };

    public static Command Create()
    {
        var command = new Command("export", "Writes every record of the store to an NDJSON file, with a count and a content hash.")
            .With("typedstate export --out state.ndjson.gz --gzip");
        command.Options.Add(s_out);
        command.Options.Add(s_gzip);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var file = parse.GetRequiredValue(s_out);
        var partial = file.FullName + ".partial";
        var hash = new ExportHash();
        var records = 0L;
        try
        {
            var stream = File.Create(partial);
            await using (stream.ConfigureAwait(false))
            {
                Stream target = parse.GetValue(s_gzip) ? new GZipStream(stream, CompressionLevel.Optimal) : stream;
                await using (target.ConfigureAwait(false))
                {
                    await using var writer = new Utf8JsonWriter(target);
                    WriteLine(writer, target, w =>
                    {
                        w.WriteString("typedstate", "export");
                        w.WriteNumber("format", Format);
                        w.WriteString("store", store.Description);
                        w.WriteString("time", DateTimeOffset.UtcNow);
                    });
                    await foreach (var (owner, record) in StoreWalk.RecordsAsync(store.State, cancellationToken).ConfigureAwait(false))
                    {
                        hash.Add(owner, record.Key, record.Value.Span);
                        records++;
                        WriteLine(writer, target, w =>
                        {
                            OwnerJson.Write(w, owner);
                            w.WriteString("key", record.Key);
                            w.WriteNumber("version", record.Version);
                            RecordJson.WriteValue(w, "value", record.Value);
                        });
                        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    WriteLine(writer, target, w =>
                    {
                        w.WriteNumber("records", records);
                        w.WriteString("sha256", hash.Finish());
                    });
                }
            }

            File.Move(partial, file.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        if (output.Json)
        {
            output.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteString("file", file.FullName);
                w.WriteNumber("records", records);
                w.WriteString("sha256", hash.Finish());
                w.WriteEndObject();
            });
        }
        else
        {
            output.Line($"Exported {records} record(s) from {store.Description} to {file.FullName}; content sha256 {hash.Finish()}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>One JSON object and a newline.</summary>
    private static void WriteLine(Utf8JsonWriter writer, Stream target, Action<Utf8JsonWriter> properties)
    {
        writer.Reset(target);
        writer.WriteStartObject();
        properties(writer);
        writer.WriteEndObject();
        writer.Flush();
        target.WriteByte((byte)'\n');
    }
}
