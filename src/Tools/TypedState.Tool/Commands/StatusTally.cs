using TypedState.Storage;

namespace TypedState.Tool.Commands;

/// <summary>The running counts of <c>typedstate status</c>: bounded by the number of types and versions, not records.</summary>
internal sealed class StatusTally
{
    /// <summary>Records that are not JSON beyond this many are counted, not listed.</summary>
    private const int CorruptKept = 1000;

    private static readonly Scope[] s_scopeOrder = [Scope.Global, Scope.Guild, Scope.Agent];

    private readonly Dictionary<Scope, Counts> _scopes = [];
    private readonly Dictionary<(Scope Scope, string Key, int? Version), Counts> _types = [];
    private readonly List<(StateOwner Owner, string Key)> _corrupt = [];

    /// <summary>Each scope, widest first (global, guild, agent).</summary>
    public IEnumerable<(Scope Scope, Counts Counts)> Scopes =>
        s_scopeOrder.Select(scope => (scope, _scopes.GetValueOrDefault(scope) ?? new Counts()));

    /// <summary>Each type and stored version, by scope (widest first), key and version.</summary>
    public IEnumerable<((Scope Scope, string Key, int? Version) Type, Counts Counts)> Types => _types
        .OrderBy(pair => Array.IndexOf(s_scopeOrder, pair.Key.Scope))
        .ThenBy(pair => pair.Key.Key, StringComparer.Ordinal)
        .ThenBy(pair => pair.Key.Version)
        .Select(pair => (pair.Key, pair.Value));

    public IReadOnlyList<(StateOwner Owner, string Key)> Corrupt => _corrupt;

    public long CorruptCount { get; private set; }

    /// <summary>How many records the quarantine keeps (not among the records tallied above).</summary>
    public long Quarantined { get; set; }

    private StateOwner? _previous;

    public void Add(StateOwner owner, StoredRecord record)
    {
        var scope = Of(_scopes, owner.Scope);

        // Records arrive owner by owner: an owner is new when it is not the previous one.
        if (_previous != owner)
        {
            _previous = owner;
            scope.Owners++;
        }

        scope.Records++;
        scope.Bytes += record.Value.Length;
        var shape = RecordShape.Of(record.Value);
        if (!shape.IsJson)
        {
            CorruptCount++;
            if (_corrupt.Count < CorruptKept)
            {
                _corrupt.Add((owner, record.Key));
            }

            return;
        }

        // Typed state carries its schema version; other values are tallied together, whatever their keys.
        var type = Of(_types, shape.SchemaVersion is null ? (owner.Scope, "(untyped values)", null) : (owner.Scope, record.Key, shape.SchemaVersion));
        type.Records++;
        type.Bytes += record.Value.Length;
    }

    private static Counts Of<TKey>(Dictionary<TKey, Counts> counts, TKey key)
        where TKey : notnull
    {
        if (!counts.TryGetValue(key, out var value))
        {
            value = new Counts();
            counts.Add(key, value);
        }

        return value;
    }

    /// <summary>Owners, records and bytes of one group.</summary>
    public sealed class Counts
    {
        public long Owners { get; set; }

        public long Records { get; set; }

        public long Bytes { get; set; }
    }
}
