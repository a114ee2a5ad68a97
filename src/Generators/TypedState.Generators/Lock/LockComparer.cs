using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TypedState.Generators.Model;

namespace TypedState.Generators.Lock;

/// <summary>
/// Compares the code's lock entries with the lock file's. At an unchanged version, a stored path that is gone,
/// renamed, moved to another object or stored as another kind, and a required member added, would break reading the
/// records already stored: each is a finding naming the path. Added paths and widened kinds only leave the file out
/// of date; so does a raised version (its migration steps, which the generator requires, handle the rest).
/// </summary>
internal static class LockComparer
{
    public static LockCheck Check(LockShapes shapes, LockFile? file, bool updateRequested)
    {
        var findings = new List<LockFinding>();
        var proposal = new List<LockEntry>();
        var entries = file is { Error: null } ? file.Entries : EquatableArray<LockEntry>.Empty;
        var locked = entries.GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.First());
        if (file?.Error is { } error)
        {
            // Nothing else is compared against a file that cannot be read; the update writes it from the code.
            var unreadable = new LockFinding(string.Empty, string.Empty, 0, LockChange.Unreadable, string.Empty, file.Path, error, null, file.ErrorLocation);
            return new LockCheck(new[] { unreadable }.ToEquatableArray(), file.Path, LockFileWriter.Write(shapes.Entries), updateRequested);
        }

        foreach (var entry in shapes.Entries)
        {
            if (!locked.TryGetValue(entry.Id, out var old))
            {
                findings.Add(new LockFinding(entry.Id, entry.TypeName, entry.Version, LockChange.NewType, string.Empty, string.Empty, Version(entry.Version), null));
                proposal.Add(entry);
                continue;
            }

            locked.Remove(entry.Id);
            var found = Compare(old, entry);
            findings.AddRange(found);
            proposal.Add(found.Any(f => f.Breaking) ? old with { TypeName = entry.TypeName, Location = null } : entry);
        }

        foreach (var stale in locked.Values)
        {
            if (shapes.Complete)
            {
                findings.Add(new LockFinding(stale.Id, string.Empty, stale.Version, LockChange.NoType, string.Empty, Version(stale.Version), string.Empty, null, stale.Location));
            }
            else
            {
                // The type may be one that has errors of its own this build: keep its entry.
                proposal.Add(stale with { Location = null });
            }
        }

        // Without a lock file there is nothing to check; the update creates one.
        var text = LockFileWriter.Write(proposal.OrderBy(e => e.Id, StringComparer.Ordinal));
        return new LockCheck(file is null ? EquatableArray<LockFinding>.Empty : findings.ToEquatableArray(), file?.Path, text, updateRequested);
    }

    private static List<LockFinding> Compare(LockEntry old, LockEntry current)
    {
        LockFinding Finding(LockChange change, string path, string before, string after) =>
            new(current.Id, current.TypeName, current.Version, change, path, before, after, TopMember(path));

        if (current.Version < old.Version)
        {
            return [Finding(LockChange.VersionLowered, string.Empty, Version(old.Version), Version(current.Version))];
        }

        if (current.Version > old.Version)
        {
            return [Finding(LockChange.VersionRaised, string.Empty, Version(old.Version), Version(current.Version))];
        }

        var before = old.Paths.ToDictionary(p => p.Path, p => p.Kind);
        var after = current.Paths.ToDictionary(p => p.Path, p => p.Kind);
        var findings = new List<LockFinding>();
        var removed = Outermost(before.Keys.Where(p => !after.ContainsKey(p)));
        var added = Outermost(after.Keys.Where(p => !before.ContainsKey(p)));
        foreach (var path in removed)
        {
            var match = added.FirstOrDefault(a => SameKind(before[path], after[a]) && (Parent(a) == Parent(path) || Leaf(a) == Leaf(path)));
            if (match is null)
            {
                findings.Add(Finding(LockChange.Removed, path, before[path], string.Empty));
                continue;
            }

            added.Remove(match);
            findings.Add(Finding(Parent(match) == Parent(path) ? LockChange.Renamed : LockChange.Renested, match, path, match));
        }

        foreach (var path in added)
        {
            var required = after[path].StartsWith("required ", StringComparison.Ordinal);
            findings.Add(Finding(required ? LockChange.RequiredAdded : LockChange.Added, path, string.Empty, after[path]));
        }

        var retyped = new List<string>();
        foreach (var path in after.Keys.Where(before.ContainsKey).OrderBy(p => p, StringComparer.Ordinal))
        {
            if (before[path] == after[path] || retyped.Any(r => Within(path, r)))
            {
                continue;
            }

            var change = Change(before[path], after[path]);
            if (change != LockChange.Added)
            {
                retyped.Add(path);
            }

            findings.Add(Finding(change, path, before[path], after[path]));
        }

        return findings;
    }

    /// <summary>What a change of kind does to the stored records: nothing (<see cref="LockChange.Added"/>: it widens), or it breaks them.</summary>
    private static LockChange Change(string before, string after)
    {
        var wasRequired = before.StartsWith("required ", StringComparison.Ordinal);
        var isRequired = after.StartsWith("required ", StringComparison.Ordinal);
        if (isRequired && !wasRequired)
        {
            return StripRequired(before) == StripRequired(after) ? LockChange.RequiredAdded : LockChange.Retyped;
        }

        return Widens(StripRequired(before), StripRequired(after)) ? LockChange.Added : LockChange.Retyped;
    }

    /// <summary>Whether every value stored as <paramref name="before"/> reads as <paramref name="after"/>.</summary>
    private static bool Widens(string before, string after)
    {
        if (before == after)
        {
            return true;
        }

        if (after.EndsWith("?", StringComparison.Ordinal))
        {
            return Widens(before.TrimEnd('?'), after.TrimEnd('?'));
        }

        return !before.EndsWith("?", StringComparison.Ordinal) && s_widenings.Contains((before, after));
    }

    private static readonly HashSet<(string, string)> s_widenings = Widenings();

    private static HashSet<(string, string)> Widenings()
    {
        string[] signed = ["int8", "int16", "int32", "int64", "int128"];
        string[] unsigned = ["uint8", "uint16", "uint32", "uint64", "uint128"];
        var pairs = new HashSet<(string, string)> { ("float16", "float32"), ("float16", "float64"), ("float32", "float64") };
        for (var i = 0; i < signed.Length; i++)
        {
            for (var j = i + 1; j < signed.Length; j++)
            {
                pairs.Add((signed[i], signed[j]));
                pairs.Add((unsigned[i], unsigned[j]));
                pairs.Add((unsigned[i], signed[j]));
            }
        }

        foreach (var small in new[] { "int8", "int16", "int32", "uint8", "uint16", "uint32" })
        {
            pairs.Add((small, "float64"));
            pairs.Add((small, "decimal"));
        }

        pairs.Add(("int64", "decimal"));
        pairs.Add(("uint64", "decimal"));
        return pairs;
    }

    private static bool SameKind(string before, string after) => StripRequired(before) == StripRequired(after);

    private static string StripRequired(string kind) => kind.StartsWith("required ", StringComparison.Ordinal) ? kind.Substring("required ".Length) : kind;

    /// <summary>The paths none of whose parents is among them (a removed object is one finding, not one per member).</summary>
    private static List<string> Outermost(IEnumerable<string> paths)
    {
        var all = paths.OrderBy(p => p, StringComparer.Ordinal).ToList();
        return [.. all.Where(p => !all.Any(other => other != p && Within(p, other)))];
    }

    /// <summary>Whether <paramref name="path"/> lies inside <paramref name="parent"/> (a member, element, value or derived type of it).</summary>
    private static bool Within(string path, string parent) =>
        path.Length > parent.Length && path.StartsWith(parent, StringComparison.Ordinal) && path[parent.Length] is '.' or '[' or '{' or '<';

    private static string Parent(string path)
    {
        var end = path.LastIndexOf('.');
        return end < 0 ? string.Empty : path.Substring(0, end);
    }

    private static string Leaf(string path) => path.Substring(path.LastIndexOf('.') + 1);

    /// <summary>The JSON name of the state type's own member a path starts at.</summary>
    private static string? TopMember(string path)
    {
        var end = path.IndexOfAny(['.', '[', '{', '<']);
        return path.Length == 0 ? null : end < 0 ? path : path.Substring(0, end);
    }

    private static string Version(int version) => version.ToString(CultureInfo.InvariantCulture);
}
