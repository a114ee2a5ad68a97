using System.IO.Compression;
using System.Text.Json;
using TypedState.Postgres;
using TypedState.Sqlite;

namespace TypedState.Tool.Tests;

/// <summary><c>typedstate export</c>: NDJSON with a header, every record, and a trailer whose hash is the same on every driver.</summary>
public sealed class ExportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_export_holds_every_record_and_the_same_content_hash_from_sqlite_and_postgres()
    {
        await using (var sqlite = new SqliteStateManager(_temp.ConnectionString()))
        {
            await StoreFill.FillAsync(sqlite);
        }

        var fromSqlite = Path.Combine(_temp.Path, "sqlite.ndjson.gz");
        var exported = await ToolProcess.RunAsync(_temp.Path, "export", "--out", fromSqlite, "--gzip", "--json", "--driver", "sqlite", "--connection", _temp.ConnectionString());
        Assert.True(exported.ExitCode == 0, exported.ToString());
        var summary = exported.Json();
        Assert.Equal(7, summary.GetProperty("records").GetInt64());

        var lines = await ReadLinesAsync(fromSqlite, gzip: true);
        Assert.Equal(9, lines.Count);
        Assert.Equal(("export", 1), (lines[0].GetProperty("typedstate").GetString(), lines[0].GetProperty("format").GetInt32()));
        Assert.Equal(("Global", "Settings", 1L), (lines[1].GetProperty("scope").GetString(), lines[1].GetProperty("key").GetString(), lines[1].GetProperty("version").GetInt64()));
        Assert.Contains(lines, line => line.TryGetProperty("valueBase64", out _) && line.GetProperty("key").GetString() == "broken");
        Assert.Equal(summary.GetProperty("sha256").GetString(), lines[^1].GetProperty("sha256").GetString());
        Assert.False(File.Exists(fromSqlite + ".partial"));

        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("export");
        try
        {
            await using (var postgres = new PostgresStateManager(server.ConnectionString, schema))
            {
                await StoreFill.FillAsync(postgres);
            }

            var fromPostgres = Path.Combine(_temp.Path, "postgres.ndjson");
            var plain = await ToolProcess.RunAsync(_temp.Path, "export", "--out", fromPostgres, "--driver", "postgres", "--connection", server.ConnectionString, "--schema", schema);
            Assert.True(plain.ExitCode == 0, plain.ToString());
            var postgresLines = await ReadLinesAsync(fromPostgres, gzip: false);
            Assert.Equal(lines.Skip(1).SkipLast(1).Select(Record), postgresLines.Skip(1).SkipLast(1).Select(Record));
            Assert.Contains($"content sha256 {summary.GetProperty("sha256").GetString()}", plain.Output, StringComparison.Ordinal);
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    /// <summary>A record line without its version and with its value in one spelling (drivers number and lay out differently).</summary>
    private static string Record(JsonElement line) =>
        $"{line.GetProperty("scope")} {(line.TryGetProperty("guild", out var g) ? g.GetString() : "-")} {(line.TryGetProperty("agent", out var a) ? a.GetString() : "-")} " +
        $"{line.GetProperty("key")} {(line.TryGetProperty("value", out var v) ? Sorted(v) : line.GetProperty("valueBase64").GetString())}";

    private static string Sorted(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}:{Sorted(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Sorted)) + "]",
        _ => value.GetRawText(),
    };

    private static async Task<List<JsonElement>> ReadLinesAsync(string path, bool gzip)
    {
        await using var file = File.OpenRead(path);
        await using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new StreamReader(stream);
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            lines.Add(document.RootElement.Clone());
        }

        return lines;
    }
}
