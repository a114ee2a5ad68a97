using System.Diagnostics;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;
using TypedState.Generators.Parsing;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>Parser rules checked against what the generator really emits.</summary>
public sealed class ParsingTests
{
    private const string Types = """
        using System;
        using System.Collections.Generic;
        using TypedState;

        namespace Demo;

        [AgentState]
        public partial class AgentClass
        {
            public List<string> Items { get; set; } = [];
        }

        [AgentState]
        public partial struct AgentStruct
        {
            public int Count { get; set; }
        }

        [GuildState]
        public partial record GuildRecord(string Name)
        {
            public int Count { get; init; }
        }

        [GuildState]
        public partial record struct GuildRecordStruct(string Name);

        [GlobalState]
        public partial class GlobalClass
        {
            public int Count { get; set; }
        }

        [GlobalState]
        public partial struct GlobalStruct
        {
            public int Count { get; set; }
        }

        [StatePart]
        public partial class PartClass
        {
            public DateTimeOffset At { get; set; }
        }
        """;

    /// <summary>
    /// Every member the emitter adds to a user's type (other than constructors and explicit interface
    /// implementations) is one TSTATE1016 knows, and every accessor TSTATE1016 knows is one the emitter adds: when the emitter
    /// changes the members it adds, GeneratedMembers must change with it.
    /// </summary>
    [Theory]
    [InlineData("AgentClass", (int)StateKind.Agent)]
    [InlineData("AgentStruct", (int)StateKind.Agent)]
    [InlineData("GuildRecord", (int)StateKind.Guild)]
    [InlineData("GuildRecordStruct", (int)StateKind.Guild)]
    [InlineData("GlobalClass", (int)StateKind.Global)]
    [InlineData("GlobalStruct", (int)StateKind.Global)]
    [InlineData("PartClass", (int)StateKind.Part)]
    public void TSTATE1016_knows_every_member_the_emitter_adds(string name, int scope)
    {
        var kind = (StateKind)scope;
        var compilation = Generate(Types);
        var type = compilation.GetTypeByMetadataName("Demo." + name)!;
        var self = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var generated = type.GetMembers()
            .Where(m => !m.IsImplicitlyDeclared && m.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)))
            .Where(m => m is not IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.ExplicitInterfaceImplementation or MethodKind.PropertyGet or MethodKind.PropertySet })
            .Where(m => m is not IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 })
            .ToList();

        Assert.Contains(generated, m => m.Name.StartsWith(GeneratedMembers.ReservedPrefix, StringComparison.Ordinal));
        Assert.All(generated, m => Assert.True(
            GeneratedMembers.ClashOf(m, kind, type.IsReferenceType, self) is not null,
            $"{m.ToDisplayString()} is generated but GeneratedMembers does not know it"));

        if (kind == StateKind.Part)
        {
            Assert.DoesNotContain(generated, m => m.Name == GeneratedMembers.SchemaProperty);
            return;
        }

        Assert.Contains(generated, m => m.Name == GeneratedMembers.SchemaProperty);
        var methods = generated.OfType<IMethodSymbol>()
            .Select(m => (m.Name, Parameters: string.Join(", ", m.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))))
            .ToHashSet();
        Assert.All(GeneratedMembers.Accessors(kind, type.IsReferenceType, self), accessor => Assert.True(
            methods.Contains((accessor.Name, string.Join(", ", accessor.Parameters))),
            $"GeneratedMembers knows {accessor.Name}({string.Join(", ", accessor.Parameters)}), which the emitter does not add"));
    }

    /// <summary>JsonStringEnumConverter&lt;TEnum&gt; writes what JsonStringEnumConverter writes, and so does the generated code.</summary>
    [Fact]
    public void The_generic_string_enum_converter_writes_names_like_the_non_generic_one()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Text.Json.Serialization;
            using TypedState;

            namespace Demo;

            [JsonConverter(typeof(CONVERTER))]
            public enum Mood
            {
                Calm,
                Angry,
            }

            [AgentState]
            public partial class Memory
            {
                public Mood Mood { get; set; }

                public List<Mood?> History { get; set; } = [];
            }
            """;

        var plain = GeneratedText(source.Replace("CONVERTER", "JsonStringEnumConverter", StringComparison.Ordinal));
        var generic = GeneratedText(source.Replace("CONVERTER", "JsonStringEnumConverter<Mood>", StringComparison.Ordinal));
        var numeric = GeneratedText(source.Replace("[JsonConverter(typeof(CONVERTER))]", string.Empty, StringComparison.Ordinal));

        Assert.Equal(plain, generic);
        Assert.NotEqual(plain, numeric);
    }

    /// <summary>The step loop is bounded by the declared methods, not by the version.</summary>
    [Fact]
    public void A_huge_version_is_checked_quickly()
    {
        var source = """
            using TypedState;

            namespace Demo;

            [AgentState(Version = 2147483647)]
            public partial class Memory
            {
                public int Count { get; set; }
            }
            """;
        var watch = Stopwatch.StartNew();
        var diagnostics = GeneratorHarness.TrackingDriver()
            .RunGenerators(GeneratorHarness.Compilation(GeneratorHarness.Parse(source, "/0/Test0.cs")))
            .GetRunResult().Diagnostics;
        watch.Stop();

        var missing = Assert.Single(diagnostics);
        Assert.Equal("TSTATE1003", missing.Id);
        Assert.Contains("is missing 2147483646 migration steps (MigrateV1ToV2, MigrateV2ToV3, MigrateV3ToV4 and 2147483643 more)", missing.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    /// <summary>
    /// A part from a referenced assembly got its serializer when that assembly was built: it is used as it is, both
    /// from the built assembly and from a project reference in an editor (a compilation reference, whose types are
    /// source symbols, generated members included).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_part_from_a_referenced_assembly_is_used(bool built)
    {
        var library = Generate(
            """
            using TypedState;

            namespace Shared;

            [StatePart]
            public partial class Address
            {
                public string City { get; set; } = "";
            }

            [AgentState]
            public partial class Profile
            {
                public Address Home { get; set; } = new();
            }
            """,
            "Library");
        var application = GeneratorHarness.Compilation(GeneratorHarness.Parse(
            """
            using System.Collections.Generic;
            using Shared;
            using TypedState;

            namespace Demo;

            [GuildState]
            public partial class Directory
            {
                public Dictionary<string, Address> Offices { get; set; } = [];

                public Profile? Owner { get; set; }
            }
            """,
            "/0/Test0.cs")).AddReferences(built ? Built(library) : library.ToMetadataReference());
        GeneratorHarness.TrackingDriver().RunGeneratorsAndUpdateCompilation(application, out var updated, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Empty(updated.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains(updated.SyntaxTrees, t => t.FilePath.EndsWith("Demo.Directory.TypedState.g.cs", StringComparison.Ordinal));
    }

    private static PortableExecutableReference Built(Compilation compilation)
    {
        using var image = new MemoryStream();
        Assert.True(compilation.Emit(image).Success);
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    private static Compilation Generate(string source, string? assemblyName = null)
    {
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(source, "/0/Test0.cs"));
        if (assemblyName is not null)
        {
            compilation = compilation.WithAssemblyName(assemblyName);
        }

        GeneratorHarness.TrackingDriver().RunGeneratorsAndUpdateCompilation(compilation, out var updated, out var diagnostics);
        Assert.Empty(diagnostics);
        Assert.Empty(updated.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        return updated;
    }

    private static string GeneratedText(string source)
    {
        var generated = Generate(source).SyntaxTrees.Single(t => t.FilePath.EndsWith("Demo.Memory.TypedState.g.cs", StringComparison.Ordinal));
        return generated.ToString();
    }
}
