using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TypedState.Tests.Fixtures;

namespace TypedState.Distribution.Tests.Packages;

/// <summary>
/// Every package as a release publishes it: a readme, the MIT license expression (its text in LICENSE), the version
/// given to the pack, the repository and commit it was built from, a symbol package whose pdbs match the assemblies
/// and carry SourceLink to that commit, and in TypedState the generator and analyzers from their projects' build.
/// </summary>
public sealed partial class PackageTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    private const string RepositoryUrl = "https://github.com/typedstate/typedstate";

    public static TheoryData<string> Ids => [.. PackedPackages.Projects.Keys];

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_nuspec_has_the_version_license_readme_and_the_repository_at_the_built_commit(string id)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        var metadata = Nuspec(package);

        Assert.Equal(id, Value(metadata, "id"));
        Assert.Equal(packages.Version, Value(metadata, "version"));
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal(RepositoryUrl, Value(metadata, "projectUrl"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal(("git", RepositoryUrl, packages.Commit), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url"), (string?)repository.Attribute("commit")));

        Assert.Equal("README.md", Value(metadata, "readme"));
        var readme = Read(package, "README.md");
        Assert.StartsWith($"# {id}\n", readme, StringComparison.Ordinal);
        Assert.Contains(id == "TypedState.Tool" ? "dotnet tool install --global TypedState.Tool" : $"dotnet add package {id}", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_symbol_package_has_the_pdb_of_the_assembly_with_sourcelink_to_the_built_commit(string id)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        using var symbols = ZipFile.OpenRead(packages.PackagePath(id, ".snupkg"));
        var assemblyPath = package.Entries.Select(e => e.FullName).Single(path => path.EndsWith($"/{id}.dll", StringComparison.Ordinal));
        var pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");

        Assert.Contains(pdbPath, symbols.Entries.Select(e => e.FullName));
        var pdb = Bytes(symbols, pdbPath);
        Assert.True(PdbSourceLink.Matches(Bytes(package, assemblyPath), pdb), $"{pdbPath} is not the pdb of {assemblyPath}");
        AssertLinksToCommit(PdbSourceLink.Read(pdb), pdbPath);
    }

    [Fact]
    public void TypedState_carries_the_generator_and_analyzers_as_built_with_embedded_pdbs_linking_to_the_commit()
    {
        using var package = ZipFile.OpenRead(packages.PackagePath("TypedState"));
        string[] analyzers = ["TypedState.Analyzers.CodeFixes.dll", "TypedState.Analyzers.dll", "TypedState.Generators.dll"];
        Assert.Equal(analyzers, package.Entries.Where(e => e.FullName.StartsWith("analyzers/", StringComparison.Ordinal))
            .Select(e => e.FullName["analyzers/dotnet/cs/".Length..]).Order(StringComparer.Ordinal));

        foreach (var analyzer in analyzers)
        {
            AssertLinksToCommit(PdbSourceLink.ReadEmbedded(Bytes(package, $"analyzers/dotnet/cs/{analyzer}")), analyzer);
        }

        // The generator this test project references is copied from the same build output the package took it from.
        var packed = Bytes(package, "analyzers/dotnet/cs/TypedState.Generators.dll");
        Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TypedState.Generators.dll")), packed);
    }

    [Theory]
    [InlineData("TypedState.Sqlite")]
    [InlineData("TypedState.Redis")]
    [InlineData("TypedState.Postgres")]
    [InlineData("TypedState.Orleans")]
    public void A_driver_package_brings_TypedState_with_its_generator_and_analyzers(string id)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        var dependency = Nuspec(package).Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "TypedState");

        Assert.Equal(packages.Version, (string?)dependency.Attribute("version"));
        Assert.DoesNotContain("Analyzers", (string?)dependency.Attribute("exclude") ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("TypedState.AgentFramework", "TypedState", "Microsoft.Agents.AI.Abstractions")]
    [InlineData("TypedState.AgentFramework.Workflows", "TypedState.AgentFramework", "Microsoft.Agents.AI.Workflows")]
    public void An_Agent_Framework_package_depends_on_TypedState_and_its_framework_package(string id, string typedState, string framework)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        var dependencies = Nuspec(package).Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string?)e.Attribute("version"));
        var pinned = XDocument.Load(Path.Combine(PackedFeed.RepositoryRoot(), "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == framework).Attribute("Version")!.Value;

        // The other dependencies are the centrally pinned versions of transitive packages.
        Assert.Equal(packages.Version, dependencies[typedState]);
        Assert.Equal(pinned, dependencies[framework]);
        if (id == "TypedState.AgentFramework")
        {
            Assert.Equal([framework], dependencies.Keys.Where(d => d.StartsWith("Microsoft.Agents.", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_version_has_one_source_the_VersionPrefix_of_Directory_Build_props()
    {
        var repository = PackedFeed.RepositoryRoot();
        var prefix = XDocument.Load(Path.Combine(repository, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
        Assert.Matches(@"^\d+\.\d+\.\d+$", prefix);

        // What the assemblies were built with (the packs override the package version only).
        var built = typeof(StateOwner).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()!.Version;
        Assert.Equal($"{prefix}.0", built);

        var elsewhere = Directory.EnumerateFiles(repository, "*.*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith("proj", StringComparison.Ordinal) || path.EndsWith(".props", StringComparison.Ordinal) || path.EndsWith(".targets", StringComparison.Ordinal))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(path => VersionProperty().IsMatch(File.ReadAllText(path)) && Path.GetFileName(path) != "Directory.Build.props")
            .ToList();
        Assert.Empty(elsewhere);
    }

    [Fact]
    public void The_repository_has_the_MIT_license_text_the_packages_declare()
    {
        var license = File.ReadAllText(Path.Combine(PackedFeed.RepositoryRoot(), "LICENSE"));
        Assert.StartsWith("MIT License", license, StringComparison.Ordinal);
        Assert.Contains("Permission is hereby granted, free of charge", license, StringComparison.Ordinal);
    }

    private void AssertLinksToCommit(string? sourceLink, string what)
    {
        Assert.True(sourceLink is not null, $"{what} has no SourceLink map");
        Assert.Contains($"\"https://raw.githubusercontent.com/typedstate/typedstate/{packages.Commit}/*\"", sourceLink, StringComparison.Ordinal);
    }

    private static XElement Nuspec(ZipArchive package)
    {
        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string Read(ZipArchive package, string path) => System.Text.Encoding.UTF8.GetString(Bytes(package, path));

    private static byte[] Bytes(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path) ?? throw new Xunit.Sdk.XunitException($"No {path} in the package.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A version set as a property (not a central PackageVersion item, which has an Include).</summary>
    [GeneratedRegex(@"<(Version|VersionPrefix|PackageVersion|AssemblyVersion|FileVersion|InformationalVersion)>")]
    private static partial Regex VersionProperty();
}
