using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>Reads a state type's migration steps (MigrateV{n}ToV{n+1}) and reports missing, duplicate and invalid ones.</summary>
internal static class MigrationReader
{
    /// <summary>How many missing steps TSTATE1003 names before it only counts the rest.</summary>
    private const int MissingListed = 3;

    private const string StepSignature = "(System.Text.Json.Nodes.JsonObject state)";

    private static readonly Regex s_migrationName = new("^MigrateV([0-9]+)ToV([0-9]+)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The step names from version 1 up to <paramref name="version"/> when every step is declared; otherwise the
    /// diagnostics say what is wrong and the list is empty. Work is bounded by the number of declared methods, not by
    /// the version: a type at <c>Version = 20250101</c> with no steps gives one TSTATE1003, quickly.
    /// </summary>
    public static List<string> Read(INamedTypeSymbol type, int version, List<DiagnosticInfo> diagnostics)
    {
        // Steps that will run, by the version they start from; partial methods declared without a body, which the
        // compiler removes, are kept apart: the step is missing.
        var steps = new HashSet<int>();
        var bodiless = new Dictionary<int, IMethodSymbol>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            var match = s_migrationName.Match(method.Name);
            if (!match.Success)
            {
                continue;
            }

            var methodLocation = method.Locations.FirstOrDefault();

            // Overloads declare the same step twice, whatever their signatures.
            if (!declared.Add(method.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateMigration, methodLocation, type.Name, method.Name));
                continue;
            }

            var from = int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : -1;
            var to = int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : -1;
            if (Problem(method, from, to, version) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMigration, methodLocation, method.Name, type.Name, problem));
                continue;
            }

            // A canonical name is unique per step, so the name check above already caught a second method for it.
            if (method.IsPartialDefinition && method.PartialImplementationPart is null)
            {
                bodiless[from] = method;
            }
            else
            {
                steps.Add(from);
            }
        }

        var missing = version - 1 - steps.Count;
        if (missing > 0)
        {
            diagnostics.Add(Missing(type, version, missing, steps, bodiless));
            return [];
        }

        var names = new List<string>();
        for (var from = 1; from < version; from++)
        {
            names.Add(NameOf(from));
        }

        return names;
    }

    private static string NameOf(int from) =>
        string.Format(CultureInfo.InvariantCulture, "MigrateV{0}ToV{1}", from, from + 1);

    private static string? Problem(IMethodSymbol method, int from, int to, int version)
    {
        if (!method.IsStatic || !method.ReturnsVoid || method.IsGenericMethod || method.Parameters.Length != 1
            || method.Parameters[0].RefKind != RefKind.None || method.Parameters[0].Type.ToDisplayString() != KnownNames.JsonObject)
        {
            return "must be declared 'static void " + method.Name + StepSignature + "'";
        }

        if (from < 1 || to != from + 1)
        {
            return "must go from one version to the next (MigrateV{n}ToV{n+1}, n at least 1)";
        }

        // The schema refers to steps by their canonical name: MigrateV01ToV02 would name a method that does not exist.
        if (method.Name != NameOf(from))
        {
            return $"writes a version with leading zeros: name it '{NameOf(from)}'";
        }

        return to > version ? $"goes beyond Version = {version}: raise Version or remove the step" : null;
    }

    /// <summary>One TSTATE1003 per type: the first few missing steps and how many there are in all.</summary>
    private static DiagnosticInfo Missing(INamedTypeSymbol type, int version, int missing, HashSet<int> steps, Dictionary<int, IMethodSymbol> bodiless)
    {
        var versionText = version.ToString(CultureInfo.InvariantCulture);
        var listed = new List<int>();
        for (var from = 1; from < version && listed.Count < MissingListed; from++)
        {
            if (!steps.Contains(from))
            {
                listed.Add(from);
            }
        }

        if (missing == 1)
        {
            var from = listed[0];
            return bodiless.TryGetValue(from, out var partial)
                ? DiagnosticInfo.Create(
                    DiagnosticDescriptors.MissingMigration,
                    partial.Locations.FirstOrDefault(),
                    type.Name,
                    versionText,
                    $"its migration step '{NameOf(from)}' is a partial method without an implementation, which the compiler removes: give it a body")
                : DiagnosticInfo.Create(
                    DiagnosticDescriptors.MissingMigration,
                    type.Locations.FirstOrDefault(),
                    type.Name,
                    versionText,
                    $"has no migration step from version {from}: declare 'static void {NameOf(from)}{StepSignature}'");
        }

        var names = string.Join(", ", listed.Select(from => bodiless.ContainsKey(from) ? NameOf(from) + " (a partial method without an implementation)" : NameOf(from)));
        var rest = missing > listed.Count ? $" and {missing - listed.Count} more" : string.Empty;
        return DiagnosticInfo.Create(
            DiagnosticDescriptors.MissingMigration,
            type.Locations.FirstOrDefault(),
            type.Name,
            versionText,
            $"is missing {missing} migration steps ({names}{rest}): declare each as 'static void MigrateV{{n}}ToV{{n+1}}{StepSignature}', with a body");
    }
}
