using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>Reads how the generated construction constructor can build a type (TSTATE1010 when it cannot).</summary>
internal static class ConstructorReader
{
    /// <summary>
    /// The constructor the generated one chains to. A primary constructor's parameters are matched to members by name
    /// (ignoring case), which records each member's position and default value in <paramref name="members"/>.
    /// <paramref name="polymorphic"/>: a part with [JsonDerivedType], which may be abstract.
    /// </summary>
    public static ConstructionModel Read(
        INamedTypeSymbol type,
        List<MemberModel> members,
        Location? location,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        bool polymorphic = false)
    {
        // A polymorphic part is read as one of its derived types: it may be abstract.
        if (type.IsAbstract && !polymorphic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoConstructor, location, type.Name, "it is abstract"));
            return new ConstructionModel(ConstructorChain.None, 0, KeepsImplicitConstructor: false);
        }

        if (type.IsRefLikeType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoConstructor, location, type.Name, "it is a ref struct"));
            return new ConstructionModel(ConstructorChain.None, 0, KeepsImplicitConstructor: false);
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            var syntax = constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
            if (syntax is TypeDeclarationSyntax && constructor.Parameters.Length > 0)
            {
                // A primary constructor: every other constructor must chain to it, passing members by name.
                for (var i = 0; i < constructor.Parameters.Length; i++)
                {
                    var parameter = constructor.Parameters[i];
                    var index = members.FindIndex(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                    if (index < 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.NoConstructor,
                            parameter.Locations.FirstOrDefault() ?? location,
                            type.Name,
                            $"primary constructor parameter '{parameter.Name}' has no serialized property of the same name"));
                        continue;
                    }

                    members[index] = members[index] with { ConstructorIndex = i, ParameterDefault = ParameterDefaults.Of(parameter) };
                }

                return new ConstructionModel(ConstructorChain.Primary, constructor.Parameters.Length, KeepsImplicitConstructor: false);
            }
        }

        if (type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && !c.IsImplicitlyDeclared))
        {
            return new ConstructionModel(ConstructorChain.Parameterless, 0, KeepsImplicitConstructor: false);
        }

        // A class with only the implicit constructor would lose it to the generated one; a struct always has one.
        var keepsImplicit = !type.IsValueType && type.InstanceConstructors.Any(c => c.IsImplicitlyDeclared && c.Parameters.Length == 0);
        return new ConstructionModel(ConstructorChain.None, 0, keepsImplicit);
    }
}
