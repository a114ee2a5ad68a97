namespace TypedState.Tool.Commands;

/// <summary>A line diff of two indented JSON documents: unchanged lines with two spaces, removed with <c>- </c>, added with <c>+ </c>.</summary>
internal static class JsonLineDiff
{
    // Beyond this many line pairs the common-subsequence table is not worth its memory: show both whole.
    private const long MaxCells = 4_000_000;

    public static IEnumerable<string> Lines(string before, string after)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        if ((long)a.Length * b.Length > MaxCells)
        {
            return [.. a.Select(line => "- " + line), .. b.Select(line => "+ " + line)];
        }

        // common[i][j]: the longest common subsequence of a[i..] and b[j..].
        var common = new int[a.Length + 1][];
        for (var i = 0; i <= a.Length; i++)
        {
            common[i] = new int[b.Length + 1];
        }

        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1 : Math.Max(common[i + 1][j], common[i][j + 1]);
            }
        }

        var lines = new List<string>(a.Length + b.Length);
        var (x, y) = (0, 0);
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add("  " + a[x++]);
                y++;
            }
            else if (y == b.Length || (x < a.Length && common[x + 1][y] >= common[x][y + 1]))
            {
                lines.Add("- " + a[x++]);
            }
            else
            {
                lines.Add("+ " + b[y++]);
            }
        }

        return lines;
    }

    private static string[] SplitLines(string text) => text.ReplaceLineEndings("\n").Split('\n');
}
