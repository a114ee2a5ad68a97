using System.Text;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TypedState.Tool.Output;

/// <summary>
/// Where a command writes: Spectre.Console tables on a terminal, the same tables without borders or colours when the
/// output is redirected (80 columns), or one JSON document with <c>--json</c>. Errors go to stderr.
/// </summary>
internal sealed class ToolOutput(bool json, TextWriter output, TextWriter error)
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
    });

    public bool Json { get; } = json;

    public static ToolOutput ForConsole(bool json) => new(json, Console.Out, Console.Error);

    /// <summary>A table with the tool's look: light borders on a terminal, none when redirected.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table { Border = Console.IsOutputRedirected ? TableBorder.None : TableBorder.Rounded };
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    public void Write(IRenderable renderable) => _console.Write(renderable);

    /// <summary>Whether progress can be drawn: a terminal, and no JSON on stdout.</summary>
    public bool Interactive => !Json && !Console.IsOutputRedirected;

    /// <summary>A Spectre.Console progress display on this output (use only when <see cref="Interactive"/>).</summary>
    public Progress Progress() => _console.Progress();

    /// <summary>A line of text as is: never wrapped, so paths, keys and hashes stay whole for copying and scripts.</summary>
    public void Line(string text) => output.WriteLine(text);

    /// <summary>Writes one JSON document built by <paramref name="write"/>, indented, and a newline.</summary>
    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Writes one JSON document as <paramref name="write"/> produces it, flushed as it goes, and a newline.</summary>
    public async Task WriteJsonAsync(Func<Utf8JsonWriter, Task> write)
    {
        var stream = Console.OpenStandardOutput();
        await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            await write(writer).ConfigureAwait(false);
        }

        await stream.FlushAsync().ConfigureAwait(false);
        output.WriteLine();
    }

    public void Error(string message) => error.WriteLine($"typedstate: {message}");

    /// <summary>A stored value as indented JSON when it is JSON, else its bytes in base64 (for display).</summary>
    public static string Pretty(ReadOnlyMemory<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return JsonSerializer.Serialize(document.RootElement, ToolJsonContext.Default.JsonElement);
        }
        catch (JsonException)
        {
            return "base64:" + Convert.ToBase64String(value.Span);
        }
    }
}
