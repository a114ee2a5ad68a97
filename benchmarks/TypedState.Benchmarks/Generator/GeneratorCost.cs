using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedState.Generators;

namespace TypedState.Benchmarks.Generator;

/// <summary>
/// What the TypedState source generator costs a build and an editor: one compilation of <c>--types</c> state types
/// (mixed scopes, eight members each, every tenth at Version 3 with two migration steps, members that are parts, lists
/// and dictionaries of parts), a tenth as many state parts and as many plain classes, one type per file, compiled
/// against the reference assemblies of the running .NET (the SDK's <c>packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/net10.0</c>)
/// and TypedState.dll. It measures, in alternation so that machine noise hits every side alike:
/// <list type="bullet">
/// <item>the baseline: the same compilation without the generator, compiled (<c>Emit</c> to memory) from its parsed trees;</item>
/// <item>a cold generator run: a new driver on a new compilation of the same trees;</item>
/// <item>the compile that follows it: <c>Emit</c> of the compilation with the generated sources;</item>
/// <item>warm incremental re-runs of the driver that ran before: after an edit to a plain class (a method body), after
/// an edit to one state type (a member added or renamed), and with no edit at all;</item>
/// <item>the peer: System.Text.Json's own source generator (the SDK's, loaded from the reference pack) on the same
/// trees plus one <c>JsonSerializerContext</c> that registers every state type and part with the web defaults, as a
/// user would write it: its cold run and the compile of its result, alternated with the steps above (<c>--no-stj</c>
/// leaves it out).</item>
/// </list>
/// Each figure is the median of <c>--repeat</c> runs with its min–max, wall clock and the process's CPU time (all threads),
/// and the bytes allocated (all threads). The first run in the process (JIT not yet warm) is reported on its own.
/// </summary>
/// <remarks>Usage: <c>dotnet run -c Release --project benchmarks/TypedState.Benchmarks -- generator [--types 500] [--repeat 10] [--steps] [--no-stj] [--reached]</c>; <c>--steps</c> prints, instead of timings, what each kind of warm run re-runs, step by step (the generator's tracked steps); <c>--reached</c> leaves <c>[StatePart]</c> off the parts, which the state types then reach from their members (each state type's generated half serializes the parts it reaches).</remarks>
public static class GeneratorCost
{
    private static readonly CSharpParseOptions s_parse = new(LanguageVersion.Latest);

    public static int Run(string[] args)
    {
        var types = 500;
        var repeat = 10;
        var steps = false;
        var peer = true;
        var reached = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--types" when i + 1 < args.Length:
                    types = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--repeat" when i + 1 < args.Length:
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--steps":
                    steps = true;
                    break;
                case "--no-stj":
                    peer = false;
                    break;
                case "--reached":
                    reached = true;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: generator [--types N] [--repeat N] [--steps] [--no-stj] [--reached]");
                    return 2;
            }
        }

        var references = References(out var refFolder);
        var corpus = new Corpus(types, reached);
        var trees = corpus.Files.Select(f => CSharpSyntaxTree.ParseText(f.Text, s_parse, f.Path)).ToArray();
        Console.WriteLine($"Generator cost: {corpus.StateTypes} state types ({corpus.Versioned} at Version 3 with migrations), {corpus.Parts} parts ({(reached ? "reached from members, no attribute" : "[StatePart]")}), {corpus.PlainClasses} plain classes, {trees.Length} files, {corpus.Files.Sum(f => f.Text.Length) / 1024} KiB of source");
        Console.WriteLine($"References: {references.Count} assemblies from {refFolder} plus TypedState.dll and its dependencies; Roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}; .NET {Environment.Version}; {Environment.ProcessorCount} CPUs");

        // Correctness first: the compilation builds without errors both ways, and the generator adds one source per type plus the registry.
        var check = Compilation(trees, references);
        Expect(check.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), "without the generator");
        var checkDriver = NewDriver().RunGeneratorsAndUpdateCompilation(check, out var generated, out var generatorDiagnostics);
        Expect(generatorDiagnostics, "reported by the generator");
        Expect(generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), "with the generated sources");
        var generatedSources = checkDriver.GetRunResult().GeneratedTrees;
        var expectedSources = corpus.StateTypes + (reached ? 0 : corpus.Parts) + 1;
        if (generatedSources.Length != expectedSources)
        {
            throw new InvalidOperationException($"The generator produced {generatedSources.Length} sources, expected {expectedSources}.");
        }

        var annotated = corpus.StateTypes + corpus.Parts;
        Console.WriteLine(Volume("Generated by TypedState", generatedSources, annotated));

        // The peer: the same trees plus the context a user would write for System.Text.Json's generator, which must compile without errors too.
        var stjTrees = trees;
        ISourceGenerator[] stj = [];
        if (peer)
        {
            var stjPath = SystemTextJsonGenerator.PathBeside(refFolder);
            stj = SystemTextJsonGenerator.Load(stjPath);
            var context = corpus.JsonContextFile();
            stjTrees = [.. trees, CSharpSyntaxTree.ParseText(context.Text, s_parse, context.Path)];
            var stjDriver = NewDriver(stj).RunGeneratorsAndUpdateCompilation(Compilation(stjTrees, references), out var stjOutput, out var stjDiagnostics);
            Expect(stjDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error), "reported by System.Text.Json's generator");
            Expect(stjOutput.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), "with System.Text.Json's generated sources");
            var warnings = stjDiagnostics.Concat(stjOutput.GetDiagnostics()).Count(d => d.Severity == DiagnosticSeverity.Warning);
            Console.WriteLine($"{Volume("Generated by System.Text.Json", stjDriver.GetRunResult().GeneratedTrees, annotated)}; {warnings} warnings; generator {stjPath} ({stj[0].GetGeneratorType().Assembly.GetName().Version})");
        }

        Console.WriteLine();
        if (steps)
        {
            // Only what each kind of warm run re-runs, step by step (tracking on, so not timed).
            for (var r = 0; r < 3; r++)
            {
                ReportIncremental(corpus, trees, references, steps: true);
            }

            return 0;
        }

        var baseline = new Samples("Compile without the generator (Emit)");
        var cold = new Samples("Generator, cold (new driver, new compilation)");
        var emitGenerated = new Samples("Compile of the generated compilation (Emit)");
        var unrelated = new Samples("Generator, warm: after editing a plain class");
        var oneType = new Samples("Generator, warm: after editing one state type");
        var noEdit = new Samples("Generator, warm: no edit");
        var stjCold = new Samples("System.Text.Json generator, cold (new driver, new compilation)");
        var stjEmit = new Samples("Compile of the System.Text.Json-generated compilation (Emit)");

        // The first cold run in the process: JIT and Roslyn's caches not yet warm (a fresh compiler process, not a compiler server).
        var first = Measure(() => NewDriver().RunGeneratorsAndUpdateCompilation(Compilation(trees, references), out _, out _), out var firstAlloc);

        for (var r = 0; r < repeat + 1; r++)
        {
            // Round 0 warms the JIT for every side; it is not counted.
            var counted = r > 0;
            var compilation = Compilation(trees, references);
            var t = Measure(() => compilation.Emit(Stream.Null), out var alloc);
            if (counted)
            {
                baseline.Add(t, alloc);
            }

            compilation = Compilation(trees, references);
            Compilation? output = null;
            t = Measure(() => NewDriver().RunGeneratorsAndUpdateCompilation(compilation, out output, out _), out alloc);
            if (counted)
            {
                cold.Add(t, alloc);
            }

            t = Measure(() => output!.Emit(Stream.Null), out alloc);
            if (counted)
            {
                emitGenerated.Add(t, alloc);
            }

            if (!peer)
            {
                continue;
            }

            compilation = Compilation(stjTrees, references);
            t = Measure(() => NewDriver(stj).RunGeneratorsAndUpdateCompilation(compilation, out output, out _), out alloc);
            if (counted)
            {
                stjCold.Add(t, alloc);
            }

            t = Measure(() => output!.Emit(Stream.Null), out alloc);
            if (counted)
            {
                stjEmit.Add(t, alloc);
            }
        }

        // Incremental: one driver lives on, as in an editor or a compiler server, and sees one edit per run.
        var current = Compilation(trees, references);
        var driver = NewDriver().RunGenerators(current);
        var plain = corpus.PlainClassFile(0);
        var state = corpus.StateTypeFile(corpus.StateTypes / 2);
        for (var r = 0; r < repeat + 1; r++)
        {
            var counted = r > 0;
            var edited = current.ReplaceSyntaxTree(FindTree(current, plain.Path), CSharpSyntaxTree.ParseText(corpus.EditPlainClass(0, r), s_parse, plain.Path));
            var t = Measure(() => driver = driver.RunGenerators(edited), out var alloc);
            if (counted)
            {
                unrelated.Add(t, alloc);
            }

            current = edited;
            edited = current.ReplaceSyntaxTree(FindTree(current, state.Path), CSharpSyntaxTree.ParseText(corpus.EditStateType(corpus.StateTypes / 2, r), s_parse, state.Path));
            t = Measure(() => driver = driver.RunGenerators(edited), out alloc);
            if (counted)
            {
                oneType.Add(t, alloc);
            }

            current = edited;
            t = Measure(() => driver = driver.RunGenerators(current), out alloc);
            if (counted)
            {
                noEdit.Add(t, alloc);
            }
        }

        Console.WriteLine($"{repeat} runs of each (after one uncounted warm-up round), interleaved; median (min–max).");
        Console.WriteLine();
        Console.WriteLine("| Step | Wall, median (min–max) | CPU, median (min–max) | Allocated, median | Wall vs compile without generator |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| First cold generator run in the process (JIT cold) | {first.Wall:F0} ms | {first.Cpu:F0} ms | {firstAlloc / 1048576.0:F0} MiB | {first.Wall / baseline.MedianWall:F2} |"));
        foreach (var samples in new[] { baseline, cold, emitGenerated, unrelated, oneType, noEdit }.Concat(peer ? [stjCold, stjEmit] : []))
        {
            Console.WriteLine(samples.Row(baseline.MedianWall));
        }

        Console.WriteLine();
        Console.WriteLine(BuildRatio("TypedState's generator", cold, emitGenerated, baseline));
        if (peer)
        {
            Console.WriteLine(BuildRatio("System.Text.Json's generator", stjCold, stjEmit, baseline));
        }

        Console.WriteLine();
        ReportIncremental(corpus, trees, references, steps: false);
        return 0;
    }

    /// <summary>What the warm runs re-run: the generated outputs of one tracked run after each kind of edit.</summary>
    private static void ReportIncremental(Corpus corpus, SyntaxTree[] trees, List<MetadataReference> references, bool steps)
    {
        Compilation current = Compilation(trees, references);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new StateGenerator().AsSourceGenerator()],
            parseOptions: s_parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(current);
        var plain = corpus.PlainClassFile(0);
        var state = corpus.StateTypeFile(corpus.StateTypes / 2);
        var edits = new (string Name, Func<Compilation, Compilation> Edit)[]
        {
            ("a plain class edited", c => c.ReplaceSyntaxTree(FindTree(c, plain.Path), CSharpSyntaxTree.ParseText(corpus.EditPlainClass(0, 1), s_parse, plain.Path))),
            ("one state type edited", c => c.ReplaceSyntaxTree(FindTree(c, state.Path), CSharpSyntaxTree.ParseText(corpus.EditStateType(corpus.StateTypes / 2, 1), s_parse, state.Path))),
            ("no edit", c => c),
        };
        Console.Write("Outputs of a tracked warm run (reasons of the source outputs: New/Modified are re-emitted):");
        foreach (var (name, edit) in edits)
        {
            current = edit(current);
            driver = driver.RunGenerators(current);
            var reasons = driver.GetRunResult().Results[0].TrackedOutputSteps
                .SelectMany(s => s.Value)
                .SelectMany(step => step.Outputs)
                .GroupBy(o => o.Reason)
                .OrderBy(g => g.Key)
                .Select(g => $"{g.Key} {g.Count()}");
            Console.Write($" {name}: {string.Join(", ", reasons)};");
            if (steps)
            {
                Console.WriteLine();
                var run = driver.GetRunResult().Results[0];
                Console.WriteLine($"  generator time {driver.GetTimingInfo().ElapsedTime.TotalMilliseconds:F1} ms");
                foreach (var step in run.TrackedSteps)
                {
                    var outs = step.Value.SelectMany(x => x.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Key} {g.Count()}");
                    Console.WriteLine($"  step {step.Key}: runs {step.Value.Length}, elapsed {step.Value.Sum(x => x.ElapsedTime.TotalMilliseconds):F1} ms, {string.Join(", ", outs)}");
                }
            }
        }

        Console.WriteLine();
    }

    private static CSharpGeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create([new StateGenerator().AsSourceGenerator()], parseOptions: s_parse);

    private static CSharpGeneratorDriver NewDriver(ISourceGenerator[] generators) => CSharpGeneratorDriver.Create(generators, parseOptions: s_parse);

    private static string Volume(string what, IReadOnlyCollection<SyntaxTree> sources, int annotated)
    {
        var chars = sources.Sum(t => (long)t.Length);
        return string.Create(CultureInfo.InvariantCulture, $"{what}: {sources.Count} sources, {chars / 1024} KiB ({chars} characters, {chars / annotated} per state type or part)");
    }

    private static string BuildRatio(string what, Samples generator, Samples compile, Samples baseline) => string.Create(
        CultureInfo.InvariantCulture,
        $"Build with {what} (cold generator run + compile of the result) against the build without a generator: {(generator.MedianWall + compile.MedianWall) / baseline.MedianWall:F2}× wall, {(generator.MedianCpu + compile.MedianCpu) / baseline.MedianCpu:F2}× CPU.");

    private static CSharpCompilation Compilation(IEnumerable<SyntaxTree> trees, List<MetadataReference> references) =>
        CSharpCompilation.Create(
            "GeneratorCost.States",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    private static SyntaxTree FindTree(Compilation compilation, string path) => compilation.SyntaxTrees.First(t => t.FilePath == path);

    private static void Expect(IEnumerable<Diagnostic> diagnostics, string where)
    {
        var list = diagnostics.Take(5).ToList();
        if (list.Count > 0)
        {
            throw new InvalidOperationException($"Diagnostics {where}:\n{string.Join("\n", list)}");
        }
    }

    private static (double Wall, double Cpu) Measure(Action action, out long allocated)
    {
        var process = Process.GetCurrentProcess();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        action();
        var wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return (wall, cpu);
    }

    /// <summary>
    /// The reference assemblies of the running .NET: <c>packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/net&lt;major&gt;.0</c> under
    /// the root the runtime runs from (the runtime's own version if that pack is there, else the newest of the same
    /// major version), plus TypedState.dll and the assemblies it references that sit beside it.
    /// </summary>
    private static List<MetadataReference> References(out string folder)
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        var major = Environment.Version.Major;
        var tfm = $"net{major}.0";
        var exact = Path.Combine(packs, Environment.Version.ToString(3), "ref", tfm);
        folder = Directory.Exists(exact)
            ? exact
            : Directory.Exists(packs)
                ? Directory.GetDirectories(packs)
                    .Select(d => (Dir: Path.Combine(d, "ref", tfm), Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : null))
                    .Where(x => x.Version?.Major == major && Directory.Exists(x.Dir))
                    .OrderByDescending(x => x.Version)
                    .Select(x => x.Dir)
                    .FirstOrDefault() ?? throw new InvalidOperationException($"No {tfm} reference pack under {packs}.")
                : throw new InvalidOperationException($"No reference packs at {packs} (runtime at {runtimeDirectory}).");

        var references = Directory.GetFiles(folder, "*.dll").Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        var typedState = typeof(AgentStateAttribute).Assembly;
        references.Add(MetadataReference.CreateFromFile(typedState.Location));
        foreach (var dependency in typedState.GetReferencedAssemblies())
        {
            var path = Path.Combine(AppContext.BaseDirectory, dependency.Name + ".dll");
            if (File.Exists(path) && !File.Exists(Path.Combine(folder, dependency.Name + ".dll")))
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        return references;
    }

    private sealed class Samples(string name)
    {
        private readonly List<(double Wall, double Cpu, long Allocated)> _runs = [];

        public double MedianWall => Median(_runs.Select(r => r.Wall));

        public double MedianCpu => Median(_runs.Select(r => r.Cpu));

        public void Add((double Wall, double Cpu) time, long allocated) => _runs.Add((time.Wall, time.Cpu, allocated));

        public string Row(double baselineWall) => string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {Ms(MedianWall)} ({Ms(_runs.Min(r => r.Wall))}–{Ms(_runs.Max(r => r.Wall))}) | {Ms(MedianCpu)} ({Ms(_runs.Min(r => r.Cpu))}–{Ms(_runs.Max(r => r.Cpu))}) | {Bytes(Median(_runs.Select(r => (double)r.Allocated)))} | {MedianWall / baselineWall:F3} |");

        private static string Ms(double ms) => ms >= 100
            ? ms.ToString("F0", CultureInfo.InvariantCulture) + " ms"
            : ms.ToString("F1", CultureInfo.InvariantCulture) + " ms";

        private static string Bytes(double bytes) => bytes >= 1048576
            ? (bytes / 1048576).ToString("F1", CultureInfo.InvariantCulture) + " MiB"
            : (bytes / 1024).ToString("F0", CultureInfo.InvariantCulture) + " KiB";

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }
}
