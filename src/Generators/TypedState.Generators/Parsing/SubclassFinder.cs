using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// Finds the classes of the compilation that derive from a class of their own assembly, without a state attribute of
/// their own (those get TSTATE1017). A generated serializer writes the members of the declared type only, so such a
/// class held through a stored base would lose its own members: the generator reports it once it knows which bases
/// are stored.
/// </summary>
internal static class SubclassFinder
{
    public static EquatableArray<SubclassEntry> Find(Compilation compilation, CancellationToken cancellationToken)
    {
        var found = new List<SubclassEntry>();
        var assembly = compilation.Assembly;
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = pending.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (var member in ns.GetNamespaceMembers())
                {
                    pending.Push(member);
                }
            }

            foreach (var type in current.GetTypeMembers())
            {
                pending.Push(type);
                if (type.TypeKind == TypeKind.Class && type.BaseType is { SpecialType: SpecialType.None } && !TypeShapeResolver.IsStateType(type))
                {
                    Add(type, assembly, found);
                }
            }
        }

        return found.ToEquatableArray();
    }

    private static void Add(INamedTypeSymbol type, IAssemblySymbol assembly, List<SubclassEntry> found)
    {
        var location = LocationInfo.From(type.Locations.FirstOrDefault());
        for (var ancestor = type.BaseType; ancestor is not null && SymbolEqualityComparer.Default.Equals(ancestor.ContainingAssembly, assembly); ancestor = ancestor.BaseType)
        {
            found.Add(new SubclassEntry(TypeShapeResolver.NameOf(ancestor.OriginalDefinition), ancestor.Name, type.Name, location));
        }
    }
}
