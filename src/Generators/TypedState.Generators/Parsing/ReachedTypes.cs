using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// The types one state type's members reach without a state attribute, read once each (in the order first reached,
/// which gives their indexes), as System.Text.Json's source generator walks the type graph from a context's roots.
/// </summary>
internal sealed class ReachedTypes(TypeShapeResolver resolver, IAssemblySymbol assembly, CancellationToken cancellationToken)
{
    private readonly Dictionary<INamedTypeSymbol, int> _indexes = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<INamedTypeSymbol, (string? Reason, bool Ungenerated, string? Derived)> _failed = new(SymbolEqualityComparer.Default);
    private readonly List<ReachedTypeModel?> _models = [];

    /// <summary>The reached types, by index.</summary>
    public EquatableArray<ReachedTypeModel> Models => _models.Select(m => m!).ToEquatableArray();

    /// <summary>
    /// Whether the generator tries to store <paramref name="type"/> itself: a non-generic class or struct of the user's
    /// (not a framework type, which is either built in or not supported), or an interface declared polymorphic, without
    /// a converter of its own.
    /// </summary>
    public static bool IsCandidate(INamedTypeSymbol type) =>
        (type.TypeKind is TypeKind.Class or TypeKind.Struct || (type.TypeKind == TypeKind.Interface && PolymorphismReader.IsPolymorphic(type)))
        && !type.IsGenericType
        && !type.IsStatic
        && !IsFrameworkType(type)
        && !type.GetAttributes().Any(a => TypeShapeResolver.IsConverterAttribute(a.AttributeClass));

    /// <summary>
    /// The index of <paramref name="type"/> among the reached types, reading it when first reached; -1 when it cannot
    /// be stored: <paramref name="reason"/> says why, or <paramref name="ungenerated"/> says it holds a state type
    /// that gets no serializer (which reports its own errors). <paramref name="derived"/>: the reason is that of a
    /// derived type the polymorphic <paramref name="type"/> lists, named here.
    /// </summary>
    public int Reach(INamedTypeSymbol type, out string? reason, out bool ungenerated, out string? derived)
    {
        // The type as declared: a member may name it nullable (Summary?), the reader methods take and return it plain.
        type = (INamedTypeSymbol)type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        if (_indexes.TryGetValue(type, out var index))
        {
            (reason, ungenerated, derived) = (null, false, null);
            return index;
        }

        if (_failed.TryGetValue(type, out var failure))
        {
            (reason, ungenerated, derived) = failure;
            return -1;
        }

        // Taken as reached before its members are read, so that types that refer to each other end.
        index = _models.Count;
        _indexes[type] = index;
        _models.Add(null);
        var model = ReachedTypeReader.Read(type, resolver, assembly, cancellationToken, out reason, out ungenerated, out derived);
        cancellationToken.ThrowIfCancellationRequested();
        if (model is null)
        {
            // A failure fails the state type that reached it, so an index handed out on the way is never emitted.
            _indexes.Remove(type);
            _failed[type] = (reason, ungenerated, derived);
            return -1;
        }

        _models[index] = model;
        return index;
    }

    /// <summary>Reached type <paramref name="index"/>, or null while it is being read (a type that reaches itself).</summary>
    public ReachedTypeModel? Model(int index) => _models[index];

    /// <summary>Whether every reached type could be read (none is left half-read by a failure).</summary>
    public bool Complete => _models.All(m => m is not null);

    private static bool IsFrameworkType(INamedTypeSymbol type)
    {
        var root = type.ContainingNamespace;
        while (root is { ContainingNamespace.IsGlobalNamespace: false })
        {
            root = root.ContainingNamespace;
        }

        return root is { IsGlobalNamespace: false, Name: "System" or "Microsoft" };
    }
}
