using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace TypedState.Generators.Tests.Infrastructure;

/// <summary>
/// The references every test compilation gets: the net10.0 reference assemblies of the SDK that built the tests (its
/// installed Microsoft.NETCore.App.Ref pack, nothing downloaded) and the real TypedState runtime assembly, which holds
/// the attributes and the helpers the generated code calls.
/// </summary>
internal static class TestReferences
{
    private const string TargetFramework = "net10.0";

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    /// <summary>No reference-assembly package: the framework assemblies come from <see cref="All"/>.</summary>
    public static ReferenceAssemblies ReferenceAssemblies { get; } = new(TargetFramework);

    /// <summary>The framework reference assemblies and TypedState.dll.</summary>
    public static ImmutableArray<MetadataReference> All => s_all.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var directory = FrameworkReferenceDirectory();
        var framework = Directory.GetFiles(directory, "*.dll").Order(StringComparer.Ordinal);
        var runtime = typeof(AgentStateAttribute).Assembly.Location;
        return [.. framework.Append(runtime).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    /// <summary>
    /// packs/Microsoft.NETCore.App.Ref/&lt;version&gt;/ref/net10.0 of the SDK that built this assembly: the version the
    /// SDK bundles, else the newest installed one that has net10.0 reference assemblies.
    /// </summary>
    private static string FrameworkReferenceDirectory()
    {
        var packRoot = Metadata("NetCoreTargetingPackRoot");
        var packs = Path.Combine(packRoot, "Microsoft.NETCore.App.Ref");
        var bundled = Path.Combine(packs, Metadata("BundledNETCoreAppPackageVersion"), "ref", TargetFramework);
        if (Directory.Exists(bundled))
        {
            return bundled;
        }

        var newest = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Select(version => (Version: System.Version.TryParse(Path.GetFileName(version).Split('-')[0], out var v) ? v : null, Path: Path.Combine(version, "ref", TargetFramework)))
                .Where(candidate => candidate.Version is { Major: 10 } && Directory.Exists(candidate.Path))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Path)
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            $"No {TargetFramework} reference assemblies under '{packs}': the tests compile against the SDK's installed Microsoft.NETCore.App.Ref pack.");
    }

    private static string Metadata(string key) =>
        typeof(TestReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata (set in the project file).");
}
