using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Emit;
using TypedState.Generators.Lock;
using TypedState.Generators.Model;
using TypedState.Generators.Parsing;

namespace TypedState.Generators;

/// <summary>
/// Generates serializers, typed accessors and schemas for types marked [AgentState], [GuildState], [GlobalState]
/// or [StatePart]. Every step after the syntax provider works on value-equatable models, so edits that do not change
/// a state type's shape (a method body, another file) are served from the cache.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class StateGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incremental-caching tests.</summary>
    public static class Steps
    {
        /// <summary>The parsed annotated types.</summary>
        public const string Types = "TypedState.Types";

        /// <summary>The keys of every generated state type, collected.</summary>
        public const string Keys = "TypedState.Keys";

        /// <summary>The classes deriving from classes of their own assembly (for TSTATE1018).</summary>
        public const string Subclasses = "TypedState.Subclasses";

        /// <summary>The schema lock entries of the generated state types.</summary>
        public const string LockShapes = "TypedState.LockShapes";

        /// <summary>The schema lock file, read.</summary>
        public const string LockFile = "TypedState.LockFile";

        /// <summary>The code's lock entries compared with the file's.</summary>
        public const string LockCheck = "TypedState.LockCheck";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var agent = Types(context, KnownNames.AgentState);
        var guild = Types(context, KnownNames.GuildState);
        var global = Types(context, KnownNames.GlobalState);
        var part = Types(context, KnownNames.StatePart);

        foreach (var types in new[] { agent, guild, global, part })
        {
            // Diagnostics carry locations and must move with the code; the model has none. Reporting and emitting are
            // separate outputs, so a type that only moved (an edit above it) is not emitted again.
            context.RegisterSourceOutput(types.Select(static (result, _) => result.Diagnostics), static (output, diagnostics) =>
            {
                foreach (var diagnostic in diagnostics)
                {
                    output.ReportDiagnostic(diagnostic.ToDiagnostic());
                }
            });

            context.RegisterSourceOutput(
                types.Select(static (result, _) => result.Model).Where(static model => model is not null),
                static (output, model) => output.AddSource(StateTypeEmitter.HintName(model!), StateTypeEmitter.Emit(model!)));
        }

        var all = All([agent, guild, global, part]);
        ReportSubclasses(context, all);
        LockPipeline.Register(context, all);

        var keys = agent.Collect().Combine(guild.Collect()).Combine(global.Collect())
            .Select(static (all, _) => all.Left.Left.Concat(all.Left.Right).Concat(all.Right)
                .Where(r => r.Model is not null)
                .Select(r => new StateKeyEntry(r.Model!.Kind, r.Model.Schema!.Key, r.Model.Type.Name, r.Model.Type.FullName, r.Location))
                .ToEquatableArray())
            .WithTrackingName(Steps.Keys);
        var assembly = context.CompilationProvider.Select(static (compilation, _) => compilation.AssemblyName);

        // The same split for the keys: duplicate-key diagnostics (usually none) with locations, the registry without.
        var duplicates = keys.Select(static (entries, _) => DuplicateKeys(entries));
        context.RegisterSourceOutput(duplicates, static (output, diagnostics) =>
        {
            foreach (var diagnostic in diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        var registry = keys.Select(static (entries, _) => entries.Select(e => e with { Location = null }).ToEquatableArray());
        context.RegisterSourceOutput(registry.Combine(assembly), static (output, input) =>
        {
            var (entries, assemblyName) = input;
            if (entries.Count > 0)
            {
                output.AddSource(RegistryEmitter.HintName, RegistryEmitter.Emit(RegistryEmitter.NamespaceFor(assemblyName), entries.Items));
            }
        });
    }

    /// <summary>
    /// TSTATE1018 for each class deriving from a stored type. Diagnostics only: the classes are found once per
    /// compilation (a walk over its declared types, no syntax), and no emit step depends on them.
    /// </summary>
    private static void ReportSubclasses(IncrementalGeneratorInitializationContext context, IncrementalValueProvider<ImmutableArray<StateTypeResult>> all)
    {
        var subclasses = context.CompilationProvider.Select(static (compilation, cancellationToken) => SubclassFinder.Find(compilation, cancellationToken))
            .WithTrackingName(Steps.Subclasses);
        var stored = all.Select(static (results, _) => results.Where(r => r.Model is not null).SelectMany(r => StoredNames(r.Model!)).Distinct().ToEquatableArray());
        context.RegisterSourceOutput(subclasses.Combine(stored), static (output, input) =>
        {
            var (entries, storedNames) = input;
            var names = new HashSet<string>(storedNames);
            foreach (var entry in entries.Where(e => names.Contains(e.BaseFullName)))
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SubclassOfStoredType, entry.Location?.ToLocation(), entry.Name, entry.BaseName));
            }
        });
    }

    /// <summary>
    /// The classes a state type stores as their declared type: itself and the types it reaches, unless polymorphic (a
    /// polymorphic one stores its listed derived types, and refuses others when written).
    /// </summary>
    private static IEnumerable<string> StoredNames(StateTypeModel model) =>
        model.Reached.Where(t => t.Polymorphism is null && !t.IsValueType).Select(t => t.FullName).Concat(model.Polymorphism is null ? [model.Type.FullName] : []);

    /// <summary>Every annotated type's result, of all four attributes, in one collection.</summary>
    private static IncrementalValueProvider<ImmutableArray<StateTypeResult>> All(IncrementalValuesProvider<StateTypeResult>[] providers) =>
        providers.Select(static types => types.Collect()).Aggregate(static (left, right) => left.Combine(right).Select(static (both, _) => both.Left.AddRange(both.Right)));

    private static EquatableArray<DiagnosticInfo> DuplicateKeys(EquatableArray<StateKeyEntry> entries)
    {
        var diagnostics = new List<DiagnosticInfo>();
        foreach (var group in entries.GroupBy(e => (e.Kind, e.Key)).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var duplicate in group.Skip(1))
            {
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.DuplicateKey.Id,
                    duplicate.Location,
                    new[] { duplicate.Kind.ToString(), duplicate.Key, duplicate.Name, first.FullName.Replace("global::", string.Empty) }.ToEquatableArray()));
            }
        }

        return diagnostics.ToEquatableArray();
    }

    private static IncrementalValuesProvider<StateTypeResult> Types(IncrementalGeneratorInitializationContext context, string attribute) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                (syntax, cancellationToken) => StateTypeParser.Parse(syntax, attribute, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(Steps.Types);
}
