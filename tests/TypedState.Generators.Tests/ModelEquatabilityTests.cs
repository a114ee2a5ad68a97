using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using TypedState.Generators.Model;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// The pipeline models must be plain values: nothing from a compilation (symbols, syntax, locations, semantic
/// models) that would keep it alive and defeat the cache, and value equality all the way down, so that parsing the
/// same source twice gives equal models.
/// </summary>
public sealed class ModelEquatabilityTests
{
    private const string ModelNamespace = "TypedState.Generators.Model";

    private static readonly Type[] s_banned =
        [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel)];

    /// <summary>Roslyn value types the models may hold (plain numbers, compared by value).</summary>
    private static readonly Type[] s_valueStructs = [typeof(TextSpan), typeof(LinePositionSpan), typeof(LinePosition)];

    private static readonly Type[] s_modelTypes =
        [.. typeof(StateGenerator).Assembly.GetTypes().Where(t => t.Namespace == ModelNamespace && !t.IsDefined(typeof(CompilerGeneratedAttribute)))];

    [Fact]
    public void The_model_namespace_holds_the_pipeline_models()
    {
        Assert.Contains(typeof(StateTypeResult), s_modelTypes);
        Assert.Contains(typeof(StateTypeModel), s_modelTypes);
        Assert.Contains(typeof(DeclaredType), s_modelTypes);
        Assert.Contains(typeof(SchemaModel), s_modelTypes);
        Assert.Contains(typeof(ConstructionModel), s_modelTypes);
        Assert.Contains(typeof(TypeShape), s_modelTypes);
        Assert.Contains(typeof(StateKeyEntry), s_modelTypes);
        Assert.Contains(typeof(EquatableArray<>), s_modelTypes);
    }

    [Fact]
    public void No_model_holds_a_symbol_syntax_location_compilation_or_semantic_model()
    {
        var offences = new List<string>();
        foreach (var type in s_modelTypes)
        {
            foreach (var (name, memberType) in Members(type, includeProperties: true))
            {
                if (Banned(memberType, []) is { } banned)
                {
                    offences.Add($"{type.Name}.{name}: {memberType} holds {banned.Name}");
                }
            }
        }

        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }

    [Fact]
    public void Every_model_compares_by_value()
    {
        var offences = new List<string>();
        foreach (var type in s_modelTypes.Where(t => !t.IsEnum && !(t.IsAbstract && t.IsSealed)))
        {
            if (!typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type))
            {
                offences.Add($"{type.Name} does not implement IEquatable<{type.Name}>");
            }

            // EquatableArray<T> wraps an ImmutableArray and compares its items itself; everything else holds values.
            if (type == typeof(EquatableArray<>))
            {
                continue;
            }

            foreach (var (name, fieldType) in Members(type, includeProperties: false))
            {
                if (!ComparesByValue(fieldType))
                {
                    offences.Add($"{type.Name}.{name}: {fieldType} is not compared by value");
                }
            }
        }

        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }

    [Fact]
    public void Two_parses_of_the_same_source_give_equal_models()
    {
        var first = ParsedModels();
        var second = ParsedModels();

        Assert.Equal(6, first.Count); // five parsed types, one collection of keys
        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.NotSame(first[i], second[i]);
            Assert.Equal(first[i], second[i]);
            Assert.Equal(first[i].GetHashCode(), second[i].GetHashCode());
        }

        // The values are rich: nested shapes, diagnostics with locations.
        var results = first.OfType<StateTypeResult>().ToList();
        Assert.Contains(results, r => r.Model?.Members.Any(m => m.Type.Element?.Element is not null) == true);
        Assert.Contains(results, r => r.Diagnostics.Count > 0);
    }

    [Fact]
    public void A_model_differs_when_a_member_differs()
    {
        var shape = new TypeShape(ShapeKind.List, "global::System.Collections.Generic.List<int>", Element: new TypeShape(ShapeKind.Primitive, "int", Primitive.Int32));
        var members = new[] { new MemberModel("Items", "items", shape, -1) }.ToEquatableArray();
        var model = new StateTypeModel(
            new DeclaredType("Demo", "Notes", "global::Demo.Notes", "class"),
            StateKind.Agent,
            new SchemaModel("Notes", 1, EquatableArray<string>.Empty),
            members,
            new ConstructionModel(ConstructorChain.None, 0, KeepsImplicitConstructor: true));

        var same = model with { Members = new[] { new MemberModel("Items", "items", shape with { }, -1) }.ToEquatableArray() };
        var other = model with { Members = new[] { new MemberModel("Items", "items", shape with { Element = shape.Element! with { Primitive = Primitive.Int64 } }, -1) }.ToEquatableArray() };

        Assert.Equal(model, same);
        Assert.Equal(model.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(model, other);

        // The grouped parts compare by value too: an equal copy is equal, a changed one is not.
        var rebuilt = model with
        {
            Type = model.Type with { },
            Schema = new SchemaModel("Notes", 1, Array.Empty<string>().ToEquatableArray()),
            Construction = new ConstructionModel(ConstructorChain.None, 0, KeepsImplicitConstructor: true),
        };
        Assert.Equal(model, rebuilt);
        Assert.Equal(model.GetHashCode(), rebuilt.GetHashCode());
        Assert.NotEqual(model, model with { Schema = model.Schema! with { Migrations = new[] { "MigrateV1ToV2" }.ToEquatableArray() } });
        Assert.NotEqual(model, model with { Schema = null });
        Assert.NotEqual(model, model with { Construction = model.Construction with { KeepsImplicitConstructor = false } });
        Assert.NotEqual(model, model with { Type = model.Type with { Keyword = "record" } });
    }

    [Fact]
    public void A_polymorphic_reached_type_compares_by_its_discriminators()
    {
        var derived = new[] { new DerivedTypeModel(1, "search", false), new DerivedTypeModel(2, "2", true) }.ToEquatableArray();
        var model = new ReachedTypeModel(
            "global::Demo.Call",
            "Call",
            false,
            EquatableArray<MemberModel>.Empty,
            EquatableArray<ConstructorArgument>.Empty,
            ReachedConstruction.New,
            IsAbstract: true,
            new PolymorphismModel("$type", derived));

        var same = model with { Polymorphism = new PolymorphismModel("$type", new[] { new DerivedTypeModel(1, "search", false), new DerivedTypeModel(2, "2", true) }.ToEquatableArray()) };
        Assert.Equal(model, same);
        Assert.Equal(model.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(model, model with { Polymorphism = model.Polymorphism! with { PropertyName = "kind" } });
        Assert.NotEqual(model, model with { Polymorphism = new PolymorphismModel("$type", new[] { derived[0], derived[1] with { IsNumber = false } }.ToEquatableArray()) });
        Assert.NotEqual(model, model with { Polymorphism = new PolymorphismModel("$type", new[] { derived[0] with { Discriminator = null }, derived[1] }.ToEquatableArray()) });
        Assert.NotEqual(model, model with { IsAbstract = false });
        Assert.NotEqual(model, model with { Polymorphism = null });
    }

    [Fact]
    public void The_checks_catch_what_they_look_for()
    {
        Assert.Equal(typeof(ISymbol), Banned(typeof(List<INamedTypeSymbol>), []));
        Assert.Equal(typeof(SyntaxNode), Banned(typeof(Dictionary<string, SyntaxNode[]>), []));
        Assert.Equal(typeof(Location), Banned(typeof((int, Location?)), []));
        Assert.Null(Banned(typeof(StateTypeResult), []));
        Assert.False(ComparesByValue(typeof(System.Collections.Immutable.ImmutableArray<string>)));
        Assert.False(ComparesByValue(typeof(string[])));
        Assert.False(ComparesByValue(typeof(List<int>)));
        Assert.True(ComparesByValue(typeof(EquatableArray<MemberModel>)));
        Assert.True(ComparesByValue(typeof(int?)));
    }

    /// <summary>The outputs of the parsed-types and keys steps of one fresh run over a freshly parsed source.</summary>
    private static List<object> ParsedModels()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Text.Json.Nodes;
            using System.Text.Json.Serialization;
            using TypedState;

            namespace Demo;

            [JsonConverter(typeof(JsonStringEnumConverter))]
            public enum Mood
            {
                Calm,
                Busy,
            }

            [AgentState(Version = 2, Key = "memory")]
            public partial class Memory
            {
                public Dictionary<string, List<int?>> Scores { get; set; } = new();

                public Mood? Mood { get; set; }

                public Entry[] Entries { get; set; } = [];

                private static void MigrateV1ToV2(JsonObject state)
                {
                }
            }

            [StatePart]
            public partial record struct Entry(string Text, DateTimeOffset At);

            [GuildState]
            public partial record Board(string Title);

            [GlobalState(Version = 3)]
            public partial class Broken
            {
                public object Anything { get; set; } = new();
            }

            [AgentState(Key = "memory")]
            public partial class Twin
            {
                public int Count { get; set; }
            }
            """;
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(source, "/src/Models.cs"));
        var result = GeneratorHarness.TrackingDriver().RunGenerators(compilation).GetRunResult().Results[0];
        string[] steps = [StateGenerator.Steps.Types, StateGenerator.Steps.Keys];
        return [.. steps.SelectMany(step => result.TrackedSteps[step]).SelectMany(run => run.Outputs).Select(output => output.Value)];
    }

    private static IEnumerable<(string Name, Type Type)> Members(Type type, bool includeProperties)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var fields = type.GetFields(flags).Select(f => (f.Name, f.FieldType));
        return includeProperties ? fields.Concat(type.GetProperties(flags).Select(p => (p.Name, p.PropertyType))) : fields;
    }

    /// <summary>The banned type <paramref name="type"/> is or contains (through generic arguments, elements and model fields).</summary>
    private static Type? Banned(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type) || type.IsGenericParameter)
        {
            return null;
        }

        if (s_banned.FirstOrDefault(b => b.IsAssignableFrom(type)) is { } banned)
        {
            return banned;
        }

        var parts = type.HasElementType ? [type.GetElementType()!] : type.IsGenericType ? type.GetGenericArguments() : [];
        var inner = type.Namespace == ModelNamespace ? Members(type, includeProperties: true).Select(m => m.Type) : [];
        return parts.Concat(inner).Select(t => Banned(t, seen)).FirstOrDefault(b => b is not null);
    }

    private static bool ComparesByValue(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return ComparesByValue(underlying);
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || s_valueStructs.Contains(type))
        {
            return true;
        }

        // Arrays, ImmutableArray and other collections compare by reference: only EquatableArray<T> of values will do.
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
        {
            return ComparesByValue(type.GetGenericArguments()[0]);
        }

        return type.Namespace == ModelNamespace && !type.IsArray && typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type);
    }
}
