using System.Reflection;
using Microsoft.CodeAnalysis;

namespace TypedState.Benchmarks.Generator;

/// <summary>
/// System.Text.Json's own source generator, as the SDK ships it beside the reference assemblies
/// (<c>packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/analyzers/dotnet/cs/System.Text.Json.SourceGeneration.dll</c>):
/// the peer a user would turn to for generated serialization without TypedState.
/// </summary>
internal static class SystemTextJsonGenerator
{
    private const string FileName = "System.Text.Json.SourceGeneration.dll";

    /// <summary>The generator DLL of the reference pack whose <c>ref/net&lt;major&gt;.0</c> folder is <paramref name="refFolder"/>.</summary>
    public static string PathBeside(string refFolder)
    {
        var pack = Path.GetFullPath(Path.Combine(refFolder, "..", ".."));
        var path = Path.Combine(pack, "analyzers", "dotnet", "cs", FileName);
        return File.Exists(path) ? path : throw new InvalidOperationException($"No {FileName} in the reference pack {pack}.");
    }

    /// <summary>Loads the DLL and instantiates its incremental generators (System.Text.Json has one).</summary>
    public static ISourceGenerator[] Load(string path)
    {
        var assembly = Assembly.LoadFrom(path);
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types;
        }

        var generators = types
            .Where(t => t is { IsAbstract: false } && typeof(IIncrementalGenerator).IsAssignableFrom(t) && t.GetCustomAttribute<GeneratorAttribute>() is not null)
            .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t!)!).AsSourceGenerator())
            .ToArray();
        return generators.Length > 0 ? generators : throw new InvalidOperationException($"No incremental generator in {path}.");
    }
}
