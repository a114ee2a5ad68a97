namespace TypedState;

/// <summary>The dry run of one state type: its records by stored schema version, and those that would stop the migrator.</summary>
public sealed class StateMigrationTypePlan
{
    private readonly SortedDictionary<int, StateMigrationVersionPlan> _versions = [];
    private readonly List<StateMigrationPlanFailure> _failures = [];
    private StateMigrationVersionPlan? _unversioned;

    internal StateMigrationTypePlan(StateSchema schema)
    {
        Schema = schema;
    }

    /// <summary>The state type's schema: its type, scope, key and the version the code writes.</summary>
    public StateSchema Schema { get; }

    /// <summary>How many owners of the type's scope were looked at.</summary>
    public long OwnersScanned { get; internal set; }

    /// <summary>
    /// The records by stored schema version, lowest first; records whose version cannot be read (not a JSON object,
    /// or a JSON null) come first, with a <see langword="null"/> <see cref="StateMigrationVersionPlan.StoredVersion"/>.
    /// </summary>
    public IReadOnlyList<StateMigrationVersionPlan> Versions =>
        _unversioned is null ? [.. _versions.Values] : [_unversioned, .. _versions.Values];

    /// <summary>The records that would stop the migrator, in the order it meets them (at most <see cref="StateMigrationPlanOptions.MaxFailuresListed"/>).</summary>
    public IReadOnlyList<StateMigrationPlanFailure> Failures => _failures;

    /// <summary>How many records of the type the store holds.</summary>
    public long Records => Sum(v => v.Records);

    /// <summary>How many records are already at the code's version (or are a JSON null).</summary>
    public long AlreadyCurrent => Sum(v => v.AlreadyCurrent);

    /// <summary>How many records the migrator would rewrite at the code's version.</summary>
    public long WouldUpgrade => Sum(v => v.WouldUpgrade);

    /// <summary>How many records were written by a newer build: the migrator stops at them, never downgrading.</summary>
    public long NewerThanCode => Sum(v => v.NewerThanCode);

    /// <summary>How many records are unreadable, or whose migration steps throw or give a document the type cannot read.</summary>
    public long WouldFail => Sum(v => v.WouldFail);

    /// <summary>How many records would stop the migrator: <see cref="NewerThanCode"/> and <see cref="WouldFail"/>.</summary>
    public long FailureCount => NewerThanCode + WouldFail;

    internal StateMigrationVersionPlan Version(int? storedVersion)
    {
        if (storedVersion is not { } version)
        {
            return _unversioned ??= new StateMigrationVersionPlan(null);
        }

        if (!_versions.TryGetValue(version, out var plan))
        {
            plan = new StateMigrationVersionPlan(version);
            _versions.Add(version, plan);
        }

        return plan;
    }

    internal void AddFailure(StateMigrationPlanFailure failure, int limit)
    {
        if (_failures.Count < limit)
        {
            _failures.Add(failure);
        }
    }

    private long Sum(Func<StateMigrationVersionPlan, long> count) => _versions.Values.Sum(count) + (_unversioned is null ? 0 : count(_unversioned));
}
