using System.Text.RegularExpressions;

namespace TypedState.Distribution.Tests.Readme;

/// <summary>
/// Reads the C# blocks (```csharp or ```cs) of the repository's README and of every package's README. A block is a
/// fragment unless the line before it is a marker comment, which readers of the rendered page do not see:
/// <list type="bullet">
/// <item><c>&lt;!-- snippet: fragment; using TypedState; IStateManager state --&gt;</c>: a fragment given the usings
/// and variables listed, each after a <c>;</c> (the text around the block says where they come from).</item>
/// <item><c>&lt;!-- snippet: program MyBot --&gt;</c>: a whole program, compiled as the assembly MyBot, run, and its
/// output compared with the ```text block that must follow it.</item>
/// </list>
/// </summary>
internal static partial class ReadmeSnippets
{
    private static readonly string[] s_csharp = ["csharp", "cs", "c#"];

    /// <summary>The markdown files whose C# blocks are compiled: README.md and every README.md under src/.</summary>
    public static IReadOnlyList<string> Files(string repository) =>
    [
        "README.md",
        .. Directory.GetFiles(Path.Combine(repository, "src"), "README.md", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(repository, path).Replace('\\', '/'))
            .Where(path => !path.Contains("/bin/", StringComparison.Ordinal) && !path.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Every C# block of every file of <see cref="Files"/>.</summary>
    public static IReadOnlyList<ReadmeSnippet> Read(string repository) =>
        [.. Files(repository).SelectMany(file => Parse(file, File.ReadAllText(Path.Combine(repository, file))))];

    /// <summary>The C# blocks of one markdown text; a malformed marker or a program without its output throws.</summary>
    public static IEnumerable<ReadmeSnippet> Parse(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (Fence(lines[i]) is not { } language || !s_csharp.Contains(language, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var end = Closing(lines, i, file);
            var code = string.Join('\n', lines[(i + 1)..end]);
            var marker = i > 0 ? Marker().Match(lines[i - 1].Trim()) : Match.Empty;
            yield return marker.Success
                ? FromMarker(file, i + 2, code, marker.Groups["spec"].Value, lines, end)
                : new ReadmeSnippet(file, i + 2, code, SnippetKind.Fragment, null, [], [], null);
            i = end;
        }
    }

    private static ReadmeSnippet FromMarker(string file, int line, string code, string spec, string[] lines, int end)
    {
        var parts = spec.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var kind = parts.Length > 0 ? parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        var given = parts.Skip(1).ToList();
        var usings = given.Where(g => g.StartsWith("using ", StringComparison.Ordinal)).Select(g => g["using ".Length..].Trim()).ToList();
        var parameters = given.Where(g => !g.StartsWith("using ", StringComparison.Ordinal)).ToList();
        switch (kind)
        {
            case ["fragment"]:
                return new ReadmeSnippet(file, line, code, SnippetKind.Fragment, null, usings, parameters, null);
            case ["program", var name] when given.Count == 0:
                return new ReadmeSnippet(file, line, code, SnippetKind.Program, name, [], [], Output(lines, end, file, line));
            default:
                throw new FormatException(
                    $"{file}:{line - 1}: unknown snippet marker '{spec}': write 'fragment' (optionally '; using Namespace' and '; Type variable' entries) or 'program AssemblyName'.");
        }
    }

    /// <summary>The ```text block after a program: the first fenced block after it, which must be text.</summary>
    private static string Output(string[] lines, int end, string file, int line)
    {
        for (var i = end + 1; i < lines.Length; i++)
        {
            if (Fence(lines[i]) is { } language)
            {
                if (language != "text")
                {
                    break;
                }

                return string.Join('\n', lines[(i + 1)..Closing(lines, i, file)]);
            }
        }

        throw new FormatException($"{file}:{line}: a program's block must be followed by a ```text block showing what it prints.");
    }

    private static int Closing(string[] lines, int open, string file)
    {
        for (var i = open + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() == "```")
            {
                return i;
            }
        }

        throw new FormatException($"{file}:{open + 1}: the code block is never closed.");
    }

    /// <summary>The language of an opening fence, or null when the line opens no block.</summary>
    private static string? Fence(string line)
    {
        var trimmed = line.Trim();
        return trimmed.StartsWith("```", StringComparison.Ordinal) && trimmed.Length > 3 ? trimmed[3..].Trim() : null;
    }

    [GeneratedRegex(@"^<!--\s*snippet:\s*(?<spec>.*?)\s*-->$")]
    private static partial Regex Marker();
}
