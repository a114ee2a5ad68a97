using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Lock;

/// <summary>
/// Reports the schema lock check's findings where they belong: at the state type's own member that holds the changed
/// path, else at the type, or in the lock file. The out-of-date warning (TSTATE1031) carries the lock file's path and
/// the text the update would write, which the code fix writes (no code fix can run the generator's model itself).
/// </summary>
internal static class LockDiagnostics
{
    public const string LockFileProperty = "TypedStateLockFile";

    public const string ProposalProperty = "TypedStateLockProposal";

    public static IEnumerable<Diagnostic> Report(LockCheck check, EquatableArray<TypeLocations> locations)
    {
        var byId = locations.GroupBy(l => l.Id).ToDictionary(g => g.Key, g => g.First());
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(LockFileProperty, check.LockFilePath)
            .Add(ProposalProperty, check.Proposal);
        foreach (var finding in check.Findings)
        {
            // The update writes what it can; breaking changes are reported while it does, so it never hides them.
            if (check.UpdateRequested && !finding.Breaking)
            {
                continue;
            }

            var location = (finding.Location ?? Where(finding, byId))?.ToLocation();
            yield return finding.Change switch
            {
                LockChange.Unreadable => Diagnostic.Create(DiagnosticDescriptors.UnreadableSchemaLock, location, finding.Before, finding.After),
                LockChange.VersionLowered => Diagnostic.Create(DiagnosticDescriptors.SchemaVersionLowered, location, finding.TypeName, finding.After, finding.Before),
                _ when finding.Breaking => Diagnostic.Create(DiagnosticDescriptors.BreakingSchemaChange, location, finding.TypeName, finding.Version.ToString(CultureInfo.InvariantCulture), Describe(finding)),
                _ => Diagnostic.Create(DiagnosticDescriptors.SchemaLockOutOfDate, location, properties, Describe(finding)),
            };
        }
    }

    private static LocationInfo? Where(LockFinding finding, Dictionary<string, TypeLocations> byId)
    {
        if (!byId.TryGetValue(finding.Id, out var type))
        {
            return null;
        }

        return type.Members.FirstOrDefault(m => m.JsonName == finding.Member)?.Location ?? type.Type;
    }

    private static string Describe(LockFinding finding) => finding.Change switch
    {
        LockChange.Removed => $"the stored member '{finding.Path}' ({finding.Before}) is gone",
        LockChange.Renamed => $"'{finding.After}' was stored as '{finding.Before}': the stored records hold it under the old name",
        LockChange.Renested => $"'{finding.After}' was stored at '{finding.Before}': the stored records hold it there",
        LockChange.Retyped => $"'{finding.Path}' was stored as {finding.Before} and is now {finding.After}",
        LockChange.RequiredAdded => $"'{finding.Path}' is {finding.After}, which the stored records may lack",
        LockChange.Added when finding.Before.Length > 0 => $"'{finding.TypeName}': '{finding.Path}' is now {finding.After} (the lock file records {finding.Before})",
        LockChange.Added => $"'{finding.TypeName}': '{finding.Path}' ({finding.After}) is not in the schema lock file",
        LockChange.NewType => $"'{finding.TypeName}' ({finding.Id}) is not in the schema lock file",
        LockChange.VersionRaised => $"'{finding.TypeName}' is at version {finding.After}, the schema lock file records version {finding.Before}: its entry is to be replaced",
        _ => $"the schema lock file's entry '{finding.Id}' (version {finding.Before}) matches no state type: its stored records would be left unread (a type removed, or its key or scope changed)",
    };
}
