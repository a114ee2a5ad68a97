using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

/// <summary>
/// Upgrades every stored record of the registered state types to the version the code declares: owner by owner,
/// in atomic batches, logging progress. Safe to run again at any time: records already current are skipped, so an
/// interrupted run resumes where it stopped. A record newer than the code, unreadable, or whose migration step throws
/// stops the run with an error naming the type, owner, key and versions; that record and the rest of its batch are
/// left unchanged. With <see cref="StateMigrationOptions.OnFailure"/> set to
/// <see cref="StateMigrationFailureAction.Quarantine"/>, an unreadable record or a failing step moves the record into
/// the <see cref="StateQuarantine"/> instead, in its batch's commit, and the run goes on (a newer record still stops
/// it). Reads upgrade older records in memory too, so the application works while this runs.
/// </summary>
/// <remarks>
/// On a driver whose commits stay within one root (<see cref="IStateDriver.CommitsSpanRoots"/> false, such as Redis on
/// a cluster) a batch holds the owners of one guild only, and a record of a guild or agent is copied into the
/// quarantine just before its batch removes it (see <see cref="StateQuarantine"/>).
/// </remarks>
public sealed partial class StateMigrator
{
    private readonly StateManager _manager;
    private readonly List<StateSchema> _schemas;
    private readonly StateMigrationOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a migrator for <paramref name="schemas"/> over the store of <paramref name="manager"/>.</summary>
    public StateMigrator(StateManager manager, IEnumerable<StateSchema> schemas, StateMigrationOptions? options = null, ILogger<StateMigrator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(schemas);
        _manager = manager;
        _schemas = [.. schemas.Distinct()];
        _options = options ?? new StateMigrationOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a migrator from dependency injection.</summary>
    public StateMigrator(StateManager manager, StateTypeRegistry registry, IOptions<StateMigrationOptions> options, ILogger<StateMigrator>? logger = null)
        : this(manager, registry?.Schemas ?? throw new ArgumentNullException(nameof(registry)), options?.Value, logger)
    {
    }

    /// <summary>The state types this migrator upgrades.</summary>
    public IReadOnlyList<StateSchema> Schemas => _schemas;

    /// <summary>Upgrades every registered state type, one after another.</summary>
    /// <exception cref="StateSchemaTooNewException">A record was written by a newer build.</exception>
    /// <exception cref="StateMigrationException">A migration step threw or produced a document the type cannot read.</exception>
    /// <exception cref="CorruptStateException">A record is not valid JSON.</exception>
    /// <exception cref="StateTypeMismatchException">A record is JSON that does not fit its state type.</exception>
    public async Task<IReadOnlyList<StateMigrationResult>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<StateMigrationResult>(_schemas.Count);
        foreach (var schema in _schemas)
        {
            results.Add(await MigrateAsync(schema, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>Upgrades the records of one state type.</summary>
    public async Task<StateMigrationResult> MigrateAsync(StateSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var activity = TelemetryTags.StartSpan("migration", ActivityKind.Internal, TelemetryTags.SystemName(_manager.Driver.Name), null, schema.Key);
        activity?.SetTag(TelemetryTags.Scope, TelemetryTags.ScopeName(schema.Scope));
        activity?.SetTag("typedstate.type", schema.Type.FullName);
        StateLog.MigrationStarted(_logger, schema.Type.Name, schema.Scope, schema.Key, schema.Version);
        var clock = Stopwatch.StartNew();
        var progress = new Progress();
        var batch = new List<StateOwner>(_options.BatchSize);
        try
        {
            await foreach (var owner in _manager.Driver.ListOwnersAsync(schema.Scope, cancellationToken).ConfigureAwait(false))
            {
                progress.Scanned++;

                // Where one commit holds one root only, a batch holds one guild's owners (they are listed guild by guild).
                if (batch.Count > 0 && !_manager.Driver.CommitsSpanRoots && batch[0].GuildId != owner.GuildId)
                {
                    await MigrateBatchAsync(schema, batch, progress, cancellationToken).ConfigureAwait(false);
                    batch.Clear();
                }

                batch.Add(owner);
                if (batch.Count == _options.BatchSize)
                {
                    await MigrateBatchAsync(schema, batch, progress, cancellationToken).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            await MigrateBatchAsync(schema, batch, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StateLog.MigrationFailed(_logger, schema.Type.Name, ex);
            TelemetryTags.FailSpan(activity, ex);
            throw;
        }

        StateLog.MigrationCompleted(_logger, schema.Type.Name, progress.Upgraded, progress.Current, schema.Version, progress.Quarantined, progress.Scanned, clock.Elapsed);
        return new StateMigrationResult(schema.Type, schema.Version, progress.Scanned, progress.Upgraded, progress.Current) { Quarantined = progress.Quarantined };
    }

    /// <summary>Reads the batch's records, upgrades the older ones and writes them in one atomic commit that expects the versions read.</summary>
    private async Task MigrateBatchAsync(StateSchema schema, List<StateOwner> owners, Progress progress, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var writes = new List<StateWrite>();
            var copies = new List<StateWrite>();
            var quarantined = new List<(StateOwner Owner, long Version, string Id, string Reason)>();
            var current = 0;
            var upgrades = 0;
            foreach (var owner in owners)
            {
                var record = await ReadAsync(owner, schema.Key, cancellationToken).ConfigureAwait(false);
                if (record is not { } stored)
                {
                    continue;
                }

                byte[]? upgraded;
                try
                {
                    upgraded = Upgrade(schema, owner, stored);
                }
                catch (StateException ex) when (_options.OnFailure == StateMigrationFailureAction.Quarantine && ex is CorruptStateException or StateTypeMismatchException or StateMigrationException or StateValueTooLargeException)
                {
                    // Moved in this batch's commit (copied just before it where a commit holds one root), on the
                    // version read, so a concurrent writer retries the batch.
                    QuarantineCopies.Plan(_manager.Driver, owner, QuarantineEnvelope.MoveWrites(owner, stored, ex.Message, TimeProvider.System.GetUtcNow(), out var id), writes, copies);
                    quarantined.Add((owner, stored.Version, id, ex.Message));
                    continue;
                }

                if (upgraded is null)
                {
                    current++;
                }
                else
                {
                    writes.Add(new StateWrite(owner, schema.Key, StateWriteKind.Set, upgraded, stored.Version));
                    upgrades++;
                }
            }

            if (writes.Count == 0)
            {
                progress.Current += current;
                return;
            }

            try
            {
                await QuarantineCopies.CommitAsync(_manager, "migrate", writes, copies, cancellationToken).ConfigureAwait(false);
            }
            catch (StateConflictException) when (attempt < _options.MaxBatchAttempts)
            {
                // A concurrent writer touched a record of the batch (the application runs while migrating): read again.
                StateLog.MigrationBatchConflict(_logger, schema.Type.Name, attempt);
                await OptimisticRetry.BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            progress.Current += current;
            progress.Upgraded += upgrades;
            progress.Quarantined += quarantined.Count;
            foreach (var (owner, version, id, reason) in quarantined)
            {
                StateLog.Quarantined(_logger, owner, schema.Key, version, id, reason);
            }

            StateLog.MigrationBatch(_logger, upgrades, schema.Type.Name, schema.Version, progress.Upgraded, progress.Scanned);
            return;
        }
    }

    private async ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _manager.Driver.ReadAsync(owner, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not StateException)
        {
            throw _manager.Translate(ex, "migrate", owner, key);
        }
    }

    private byte[]? Upgrade(StateSchema schema, StateOwner owner, StoredRecord stored)
    {
        byte[]? upgraded;
        try
        {
            upgraded = schema.Upgrade(stored.Value.Span);
        }
        catch (JsonException ex)
        {
            throw _manager.Unreadable(owner, schema.Key, stored.Value.Span, stored.Version, schema.Type, ex);
        }
        catch (StateSchemaException ex) when (ex.Owner is null)
        {
            throw ex.At(owner, schema.Key);
        }

        if (upgraded is not null && upgraded.Length > _manager.Options.MaxValueBytes)
        {
            throw new StateValueTooLargeException(owner, schema.Key, upgraded.Length, _manager.Options.MaxValueBytes);
        }

        return upgraded;
    }

    private sealed class Progress
    {
        public long Scanned { get; set; }

        public long Upgraded { get; set; }

        public long Current { get; set; }

        public long Quarantined { get; set; }
    }
}
