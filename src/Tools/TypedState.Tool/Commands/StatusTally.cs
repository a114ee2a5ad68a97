using TypedState.Storage;

namespace TypedState.Tool.Commands;

/// <summary>The running counts of <c>typedstate status</c>: bounded by the number of types and versions, not records.</summary>
internal sealed class StatusTally
{
    /// <summary>Records that are not JSON (or newer than the code) beyond this many are counted, not listed.</summary>
    private const int CorruptKept = 1000;

    private static readonly Scope[] s_scopeOrder = [Scope.Global, Scope.Guild, Scope.Agent];

    private readonly Dictionary<Scope, Counts> _scopes = [];
    private readonly Dictionary<(Scope Scope, string Key, int? Version), Counts> _types = [];
    private readonly List<(StateOwner Owner, string Key)> _corrupt = [];
    private readonly Dictionary<(Scope Scope, string Key), int>? _code;
    private readonly List<(StateOwner Owner, string Key, int Version, int CodeVersion)> _newer = [];

    /// <summary>A tally that also knows the code's state types (from <c>--assembly</c>), to count records newer than the code.</summary>
    public StatusTally(IReadOnlyList<StateSchema>? schemas = null)
    {
        _code = schemas?.ToDictionary(schema => (schema.Scope, schema.Key), schema => schema.Version);
    }

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
    /// <summary>Whether the code's state types are known (so newer-than-code records are counted).</summary>
    public bool KnowsCode => _code is not null;

    /// <summary>Records written by a newer build than the code's (the first ones; <see cref="NewerCount"/> counts all).</summary>
    public IReadOnlyList<(StateOwner Owner, string Key, int Version, int CodeVersion)> Newer => _newer;

    public long NewerCount { get; private set; }

    /// <summary>The version the code writes for the state type stored under <paramref name="key"/> in <paramref name="scope"/>.</summary>
    public int? CodeVersion(Scope scope, string key) => _code is not null && _code.TryGetValue((scope, key), out var version) ? version : null;

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
        // A JSON object under a key the code's state types use is version 1 of the type when it carries no $version.
        var schemaVersion = shape.SchemaVersion ?? (IsObject(record.Value.Span) && CodeVersion(owner.Scope, record.Key) is not null ? 1 : null);
        var type = Of(_types, schemaVersion is null ? (owner.Scope, "(untyped values)", null) : (owner.Scope, record.Key, schemaVersion));
        type.Records++;
        type.Bytes += record.Value.Length;
        if (schemaVersion is { } stored && CodeVersion(owner.Scope, record.Key) is { } code && stored > code)
        {
            NewerCount++;
            if (_newer.Count < CorruptKept)
            {
                _newer.Add((owner, record.Key, stored, code));
            }
        }
    }

    private static bool IsObject(ReadOnlySpan<byte> value) => value.TrimStart(" \t\r\n"u8) is [(byte)'{', ..];

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
