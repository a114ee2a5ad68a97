using Microsoft.CodeAnalysis.Emit;
using TypedState.Tests.Fixtures;

namespace TypedState.Distribution.Tests.Readme;

/// <summary>
/// Every C# block of the READMEs compiles as written (with the source generator, against the libraries of this
/// repository), and every complete program runs and prints what the README shows after it. A new block is picked up
/// without touching this test; see <see cref="ReadmeSnippets"/> for the marker that says how to compile one.
/// </summary>
public sealed class ReadmeSnippetTests
{
    private static readonly Lazy<IReadOnlyList<ReadmeSnippet>> s_snippets = new(() => ReadmeSnippets.Read(PackedFeed.RepositoryRoot()));

    [Fact]
    public void Every_csharp_fragment_of_the_readmes_compiles_without_warnings()
    {
        var fragments = s_snippets.Value.Where(s => s.Kind == SnippetKind.Fragment).ToList();
        Assert.True(fragments.Count >= 10, $"Only {fragments.Count} fragments found: {string.Join(", ", fragments)}");

        var (_, diagnostics) = SnippetCompiler.Fragments(fragments, "MyBot");
        Assert.True(diagnostics.IsEmpty, SnippetCompiler.Describe(diagnostics));
    }

    [Fact]
    public async Task Every_complete_program_of_the_readmes_runs_and_prints_what_the_readme_shows()
    {
        var programs = s_snippets.Value.Where(s => s.Kind == SnippetKind.Program).ToList();
        Assert.Contains(programs, p => p.File == "README.md");
        foreach (var program in programs)
        {
            Assert.Equal(Normalize(program.ExpectedOutput!), Normalize(await CompileAndRunAsync(program)));
        }
    }

    [Fact]
    public void A_block_without_a_marker_is_a_fragment_and_a_marker_gives_usings_and_variables()
    {
        var snippets = ReadmeSnippets.Parse("doc.md", """
            # Doc

            ```csharp
            var a = 1;
            ```

            <!-- snippet: fragment; using TypedState; IStateManager state; int count -->
            ```cs
            await state.SetAsync(StateOwner.Global, "n", count);
            ```
            """).ToList();

        Assert.Equal(2, snippets.Count);
        Assert.Equal(("doc.md", 4, SnippetKind.Fragment, "var a = 1;"), (snippets[0].File, snippets[0].Line, snippets[0].Kind, snippets[0].Code));
        Assert.Equal(9, snippets[1].Line);
        Assert.Equal(["TypedState"], snippets[1].Usings);
        Assert.Equal(["IStateManager state", "int count"], snippets[1].Parameters);
    }

    [Fact]
    public void A_program_needs_the_text_block_of_its_output_and_an_unknown_marker_is_refused()
    {
        var withoutOutput = Assert.Throws<FormatException>(() => ReadmeSnippets.Parse("doc.md", """
            <!-- snippet: program App -->
            ```csharp
            Console.WriteLine("hi");
            ```

            ```csharp
            var b = 2;
            ```
            """).ToList());
        Assert.Contains("doc.md:3", withoutOutput.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<FormatException>(() => ReadmeSnippets.Parse("doc.md", """
            <!-- snippet: skip -->
            ```csharp
            var c = 3;
            ```
            """).ToList());
        Assert.Contains("unknown snippet marker 'skip'", unknown.Message, StringComparison.Ordinal);

        var program = Assert.Single(ReadmeSnippets.Parse("doc.md", """
            <!-- snippet: program App -->
            ```csharp
            Console.WriteLine("hi");
            ```
            It prints:
            ```text
            hi
            ```
            """));
        Assert.Equal((SnippetKind.Program, "App", "hi"), (program.Kind, program.Name, program.ExpectedOutput));
    }

    /// <summary>
    /// Emits the program next to this test assembly (whose dependency manifest and runtime configuration it borrows,
    /// so it finds the same libraries) and runs it with <c>dotnet exec</c> in an empty folder.
    /// </summary>
    private static async Task<string> CompileAndRunAsync(ReadmeSnippet program)
    {
        var (compilation, diagnostics) = SnippetCompiler.Program(program);
        Assert.True(diagnostics.IsEmpty, SnippetCompiler.Describe(diagnostics));
        var assembly = Path.Combine(AppContext.BaseDirectory, $"{program.Name}.dll");
        EmitResult emitted;
        await using (var file = File.Create(assembly))
        {
            emitted = compilation.Emit(file);
        }

        try
        {
            Assert.True(emitted.Success, SnippetCompiler.Describe(emitted.Diagnostics));
            var self = Path.Combine(AppContext.BaseDirectory, typeof(ReadmeSnippetTests).Assembly.GetName().Name!);
            using var folder = new TempDirectory();
            var (exitCode, output) = await DotnetCli.RunAsync(folder.Path, TimeSpan.FromMinutes(2),
                "exec", "--runtimeconfig", $"{self}.runtimeconfig.json", "--depsfile", $"{self}.deps.json", assembly);
            Assert.True(exitCode == 0, $"{program} exited with {exitCode}:\n{output}");
            return output;
        }
        finally
        {
            File.Delete(assembly);
        }
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(line => line.TrimEnd())).Trim();
}
