using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace TypedState.Generators.Tests.Infrastructure;

/// <summary>
/// Checks the generated sources of a case against the files in <c>Snapshots/&lt;case&gt;/</c> (one file per hint name),
/// which are copied next to the tests. A mismatch fails with a line diff. After an intended change of the generated
/// code, run the tests with <c>TYPEDSTATE_UPDATE_SNAPSHOTS=1</c> to rewrite the files in the source tree, and review
/// the diff before committing.
/// </summary>
internal static class Snapshots
{
    public const string UpdateVariable = "TYPEDSTATE_UPDATE_SNAPSHOTS";

    public static async Task VerifyAsync(string name, string[] sources, [CallerFilePath] string callerPath = "")
    {
        var update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        var directory = update
            ? Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots", name)
            : Path.Combine(AppContext.BaseDirectory, "Snapshots", name);
        if (update)
        {
            Rewrite(directory, sources);
        }

        var test = new StateGeneratorTest();
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(StateGeneratorTest.UserSource(source));
        }

        var expected = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.g.cs").Order(StringComparer.Ordinal).ToArray() : [];
        foreach (var file in expected)
        {
            var text = (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n");
            test.TestState.GeneratedSources.Add((typeof(StateGenerator), Path.GetFileName(file), SourceText.From(text, Encoding.UTF8)));
        }

        try
        {
            await test.RunAsync();
        }
        catch (InvalidOperationException e) when (!update && e.Message.Contains("Verifying source generated files", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                e.Message + $"\nSnapshots: {directory}\nIf the change is intended, rewrite them with {UpdateVariable}=1 dotnet test and review the diff.",
                e);
        }
    }

    private static void Rewrite(string directory, string[] sources)
    {
        var trees = sources.Select((source, i) => GeneratorHarness.Parse(StateGeneratorTest.UserSource(source), $"/0/Test{i}.cs")).ToArray();
        var result = GeneratorHarness.TrackingDriver().RunGenerators(GeneratorHarness.Compilation(trees)).GetRunResult().Results[0];
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.GetFiles(directory, "*.g.cs"))
        {
            File.Delete(stale);
        }

        foreach (var generated in result.GeneratedSources)
        {
            File.WriteAllText(Path.Combine(directory, generated.HintName), generated.SourceText.ToString(), new UTF8Encoding(false));
        }
    }
}
