using System.Text.Json;

namespace TypedState;

/// <summary>The dry run: what <see cref="MigrateAsync(CancellationToken)"/> would do, through the same reads and upgrades, writing nothing.</summary>
public sealed partial class StateMigrator
{
    /// <summary>
    /// Computes what <see cref="MigrateAsync(CancellationToken)"/> would do, without writing: for every state type and
    /// stored schema version, the records already current, to upgrade, newer than the code or failing, the first few
    /// upgrades before and after, and the failing records. Reads owner by owner as the migrator does (never the whole
    /// store in memory) and upgrades each record with the migrator's own code, so the two cannot disagree about a
    /// record. Unlike the migrator, it does not stop at the first failing record: it reports them all.
    /// </summary>
    /// <exception cref="StateDriverException">The store could not be read.</exception>
    public async Task<StateMigrationPlan> PlanAsync(StateMigrationPlanOptions? options = null, CancellationToken cancellationToken = default)
    {
        var types = new List<StateMigrationTypePlan>(_schemas.Count);
        foreach (var schema in _schemas)
        {
            types.Add(await PlanTypeAsync(schema, options, cancellationToken).ConfigureAwait(false));
        }

        return new StateMigrationPlan(types);
    }

    /// <summary>Computes what <see cref="MigrateAsync(StateSchema, CancellationToken)"/> would do for one state type, without writing.</summary>
    /// <exception cref="StateDriverException">The store could not be read.</exception>
    public async Task<StateMigrationTypePlan> PlanTypeAsync(StateSchema schema, StateMigrationPlanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        options ??= new StateMigrationPlanOptions();
        options.Validate();
        var plan = new StateMigrationTypePlan(schema);
        await foreach (var owner in _manager.Driver.ListOwnersAsync(schema.Scope, cancellationToken).ConfigureAwait(false))
        {
            plan.OwnersScanned++;
            if (await ReadAsync(owner, schema.Key, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                Plan(plan, schema, owner, stored, options);
            }
        }

        return plan;
    }

    private void Plan(StateMigrationTypePlan plan, StateSchema schema, StateOwner owner, Storage.StoredRecord stored, StateMigrationPlanOptions options)
    {
        var version = plan.Version(StoredVersion(stored.Value.Span));
        byte[]? upgraded;
        try
        {
            upgraded = Upgrade(schema, owner, stored);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the upgrade throws, the migrator would stop here with it.
            if (ex is StateSchemaTooNewException)
            {
                version.NewerThanCode++;
            }
            else
            {
                version.WouldFail++;
            }

            plan.AddFailure(new StateMigrationPlanFailure(owner, schema.Key, version.StoredVersion, ex), options.MaxFailuresListed);
            return;
        }

        if (upgraded is null)
        {
            version.AlreadyCurrent++;
            return;
        }

        version.WouldUpgrade++;
        version.AddSample(new StateMigrationPlanSample(owner, schema.Key, stored.Value, upgraded), options.SampleCount);
    }

    private static int? StoredVersion(ReadOnlySpan<byte> document)
    {
        try
        {
            return StateSchema.ReadVersion(document);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
