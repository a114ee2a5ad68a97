using System.IO.Compression;
using System.Text.Json;
using TypedState.Storage;

namespace TypedState.Tool.Commands;

/// <summary>
/// Reads a file written by <c>typedstate export</c> (plain or gzip, told apart by its first bytes): the header, each
/// record, and the trailer. A line that is not what the format says is a <see cref="ToolException"/> naming the line.
/// </summary>
internal static class ExportFile
{
    /// <summary>One record of the file.</summary>
    public readonly record struct Line(long Number, StateOwner Owner, StoredRecord Record);

    /// <summary>Reads the whole file and checks it against its trailer; returns its record count and content hash.</summary>
    public static async Task<(long Records, string Sha256)> VerifyAsync(string path, CancellationToken cancellationToken)
    {
        var records = 0L;
        var hash = new ExportHash();
        await foreach (var line in ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            records++;
            hash.Add(line.Owner, line.Record.Key, line.Record.Value.Span);
        }

        return (records, hash.Finish());
    }

    /// <summary>The file's records in order; at the end, checks the trailer's count and hash against them.</summary>
    public static async IAsyncEnumerable<Line> ReadAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new ToolException(ExitCodes.Usage, $"The export file '{path}' does not exist.");
        }

        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream);
                var number = 0L;
                var hash = new ExportHash();
                var records = 0L;
                JsonElement? trailer = null;
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
                {
                    number++;
                    if (trailer is not null)
                    {
                        throw Malformed(path, number, "there is a line after the trailer");
                    }

                    var line = Parse(path, number, text);
                    if (number == 1)
                    {
                        CheckHeader(path, line);
                        continue;
                    }

                    if (line.TryGetProperty("records", out _))
                    {
                        trailer = line;
                        continue;
                    }

                    var (owner, record) = Record(path, number, line);
                    hash.Add(owner, record.Key, record.Value.Span);
                    records++;
                    yield return new Line(number, owner, record);
                }

                CheckTrailer(path, trailer, records, hash.Finish());
            }
        }
    }

    private static JsonElement Parse(string path, long number, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : throw Malformed(path, number, "it is not a JSON object");
        }
        catch (JsonException exception)
        {
            throw Malformed(path, number, exception.Message);
        }
    }

    private static void CheckHeader(string path, JsonElement header)
    {
        if (!header.TryGetProperty("typedstate", out var kind) || kind.GetString() != "export"
            || !header.TryGetProperty("format", out var format) || format.GetInt32() != ExportCommand.Format)
        {
            throw Malformed(path, 1, $"it is not the header of a typedstate export of format {ExportCommand.Format}");
        }
    }

    private static (StateOwner Owner, StoredRecord Record) Record(string path, long number, JsonElement line)
    {
        try
        {
            var scope = Enum.Parse<Scope>(line.GetProperty("scope").GetString()!);
            var owner = scope switch
            {
                Scope.Global => StateOwner.Global,
                Scope.Guild => StateOwner.Guild(line.GetProperty("guild").GetString()!),
                _ => StateOwner.Agent(line.GetProperty("guild").GetString()!, line.GetProperty("agent").GetString()!),
            };
            var value = line.TryGetProperty("value", out var json)
                ? System.Text.Encoding.UTF8.GetBytes(json.GetRawText())
                : line.GetProperty("valueBase64").GetBytesFromBase64();
            return (owner, new StoredRecord(line.GetProperty("key").GetString()!, value, line.GetProperty("version").GetInt64()));
        }
        catch (Exception exception) when (exception is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Malformed(path, number, $"it is not a record ({exception.Message})");
        }
    }

    private static void CheckTrailer(string path, JsonElement? trailer, long records, string hash)
    {
        if (trailer is not { } end)
        {
            throw new ToolException(ExitCodes.DataError, $"The export file '{path}' has no trailer: it was cut short.");
        }

        var expected = end.GetProperty("records").GetInt64();
        var expectedHash = end.TryGetProperty("sha256", out var h) ? h.GetString() : null;
        if (expected != records || expectedHash != hash)
        {
            throw new ToolException(ExitCodes.DataError, $"The export file '{path}' does not match its trailer: {records} record(s) with content sha256 {hash}, the trailer says {expected} with {expectedHash}.");
        }
    }

    private static ToolException Malformed(string path, long number, string reason) =>
        new(ExitCodes.DataError, $"The export file '{path}' is malformed at line {number}: {reason}.");
}
