namespace TypedState.Distribution.Tests.Readme;

/// <summary>One fenced C# block of a README, and how its marker says to compile it.</summary>
/// <param name="File">The markdown file, relative to the repository (diagnostics are reported against it).</param>
/// <param name="Line">The 1-based line of the block's first line of code in <paramref name="File"/>.</param>
/// <param name="Code">The block's code.</param>
/// <param name="Kind">How it is compiled.</param>
/// <param name="Name">A program's assembly name (its generated types land in this namespace); null for a fragment.</param>
/// <param name="Usings">Namespaces a fragment is given beyond its own usings (the text around it says them).</param>
/// <param name="Parameters">Variables a fragment uses from an earlier example, as C# parameters ("IStateManager state").</param>
/// <param name="ExpectedOutput">What a program prints: the text block after it.</param>
internal sealed record ReadmeSnippet(
    string File,
    int Line,
    string Code,
    SnippetKind Kind,
    string? Name,
    IReadOnlyList<string> Usings,
    IReadOnlyList<string> Parameters,
    string? ExpectedOutput)
{
    /// <summary>Where the block is, as an xUnit case name and in failure messages.</summary>
    public override string ToString() => $"{File}:{Line}";
}
