using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// A migration run type by type, reported as it goes: a progress bar per type on a terminal, a line now and then
/// otherwise, nothing with <c>--json</c> (one document at the end). A failure reports the types done and the record
/// that stopped it.
/// </summary>
internal sealed class MigrationProgress(ToolOutput output)
{
    // Without a terminal, progress lines come at most this often.
    private static readonly TimeSpan s_lineInterval = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private Action<long>? _current;

    /// <summary>The owners the current type's migration has scanned so far (from the migrator's log).</summary>
    public void Scanned(long owners) => _current?.Invoke(owners);

    public async Task<int> RunAsync(StoreSession store, StateMigrator migrator, CancellationToken cancellationToken)
    {
        var results = new List<StateMigrationResult>();
        try
        {
            if (output.Interactive)
            {
                await RunWithBarsAsync(store, migrator, results, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunWithLinesAsync(migrator, results, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (StateException exception) when (exception is not StateDriverException)
        {
            var failed = migrator.Schemas[results.Count];
            Report(store, migrator.Schemas, results, exception);
            throw new ToolException(
                CommandRunner.ExitCodeOf(exception),
                $"Migrating {failed.Type.Name} stopped: {exception.Message} Records already upgraded stay upgraded; the rest are unchanged. 'typedstate migrate --dry-run' lists every record that would stop it.");
        }

        Report(store, migrator.Schemas, results, null);
        return ExitCodes.Success;
    }

    private async Task RunWithBarsAsync(StoreSession store, StateMigrator migrator, List<StateMigrationResult> results, CancellationToken cancellationToken)
    {
        // The bar's length: the owners of each scope, counted first (ids only).
        var owners = new Dictionary<Scope, long>();
        foreach (var scope in migrator.Schemas.Select(s => s.Scope).Distinct())
        {
            owners[scope] = await CountOwnersAsync(store, scope, cancellationToken).ConfigureAwait(false);
        }

        await output.Progress().StartAsync(async context =>
        {
            var tasks = migrator.Schemas.Select(s => context.AddTask(Markup.Escape(MigratePlanOutput.NameOf(s)), autoStart: false, maxValue: Math.Max(1, owners[s.Scope]))).ToList();
            for (var i = 0; i < tasks.Count; i++)
            {
                var task = tasks[i].IsIndeterminate(false);
                task.StartTask();
                _current = scanned => task.Value = scanned;
                results.Add(await migrator.MigrateAsync(migrator.Schemas[i], cancellationToken).ConfigureAwait(false));
                task.Value = task.MaxValue;
                task.StopTask();
            }
        }).ConfigureAwait(false);
    }

    private async Task RunWithLinesAsync(StateMigrator migrator, List<StateMigrationResult> results, CancellationToken cancellationToken)
    {
        foreach (var schema in migrator.Schemas)
        {
            var name = MigratePlanOutput.NameOf(schema);
            Progress($"Migrating {name} ({schema.Scope}) to version {schema.Version}...");
            _current = scanned =>
            {
                if (_sinceLine.Elapsed >= s_lineInterval)
                {
                    Progress($"  {name}: {scanned.ToString("N0", CultureInfo.InvariantCulture)} owners scanned");
                }
            };
            results.Add(await migrator.MigrateAsync(schema, cancellationToken).ConfigureAwait(false));
        }
    }

    private void Progress(string line)
    {
        if (!output.Json)
        {
            output.Line(line);
            _sinceLine.Restart();
        }
    }

    private static async Task<long> CountOwnersAsync(StoreSession store, Scope scope, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var _ in store.State.Driver.ListOwnersAsync(scope, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <summary>The types done (<paramref name="results"/>, in <paramref name="schemas"/> order) and, when it stopped, the failure.</summary>
    private void Report(StoreSession store, IReadOnlyList<StateSchema> schemas, List<StateMigrationResult> results, StateException? failure)
    {
        if (output.Json)
        {
            output.WriteJson(writer => WriteJson(writer, store, schemas, results, failure));
            return;
        }

        // The quarantine's column shows only when a record went there, so the usual table stays narrow.
        var quarantined = results.Sum(r => r.Quarantined);
        var table = quarantined > 0
            ? ToolOutput.Table("Type", "Scope", "Version", "Owners", "Upgraded", "Current", "Quarantined")
            : ToolOutput.Table("Type", "Scope", "Version", "Owners", "Upgraded", "Current");
        for (var i = 0; i < results.Count; i++)
        {
            var (schema, result) = (schemas[i], results[i]);
            string[] row = [Markup.Escape(MigratePlanOutput.NameOf(schema)), schema.Scope.ToString(), N(result.Version), N(result.OwnersScanned), N(result.Upgraded), N(result.AlreadyCurrent)];
            table.AddRow(quarantined > 0 ? [.. row, N(result.Quarantined)] : row);
        }

        output.Line(store.Description);
        if (results.Count > 0)
        {
            output.Write(table);
        }

        if (failure is not null)
        {
            output.Line($"Stopped at {MigratePlanOutput.NameOf(schemas[results.Count])}.");
        }

        output.Line($"Upgraded {N(results.Sum(r => r.Upgraded))} record(s) of {results.Count} state type(s).");
        if (quarantined > 0)
        {
            output.Line($"Quarantined {N(quarantined)} record(s) that could not be upgraded: see 'typedstate quarantine list'.");
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, StoreSession store, IReadOnlyList<StateSchema> schemas, List<StateMigrationResult> results, StateException? failure)
    {
        writer.WriteStartObject();
        writer.WriteString("store", store.Description);
        writer.WriteBoolean("dryRun", false);
        writer.WriteBoolean("completed", failure is null);
        writer.WriteNumber("upgraded", results.Sum(r => r.Upgraded));
        writer.WriteNumber("quarantined", results.Sum(r => r.Quarantined));
        writer.WriteStartArray("types");
        for (var i = 0; i < results.Count; i++)
        {
            writer.WriteStartObject();
            MigratePlanOutput.WriteSchema(writer, schemas[i]);
            writer.WriteNumber("ownersScanned", results[i].OwnersScanned);
            writer.WriteNumber("upgraded", results[i].Upgraded);
            writer.WriteNumber("alreadyCurrent", results[i].AlreadyCurrent);
            writer.WriteNumber("quarantined", results[i].Quarantined);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (failure is not null)
        {
            writer.WriteStartObject("failure");
            MigratePlanOutput.WriteSchema(writer, schemas[results.Count]);
            if (failure.Owner is { } owner)
            {
                writer.WriteStartObject("owner");
                OwnerJson.Write(writer, owner);
                writer.WriteEndObject();
            }

            writer.WriteString("error", failure.GetType().Name);
            writer.WriteString("reason", failure.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
