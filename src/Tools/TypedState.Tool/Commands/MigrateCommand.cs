using System.CommandLine;
using TypedState.Tool.Assemblies;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// <c>typedstate migrate</c>: the application's startup migrator, run from the tool over the application's state
/// types (read from its built assembly). <c>--dry-run</c> shows what it would do and writes nothing; without it, the
/// records are upgraded with a progress display. An interrupted run is simply run again: upgraded records are skipped.
/// </summary>
internal static class MigrateCommand
{
    private static readonly Option<FileInfo> s_assembly = AppAssembly.CreateOption(required: true);

    private static readonly Option<bool> s_dryRun = new("--dry-run") { Description = "Show what the migration would do, per type and stored version, writing nothing." };

    private static readonly Option<int> s_samples = new("--samples")
    {
        Description = "With --dry-run: how many upgrades to show before and after, per type and stored version.",
        DefaultValueFactory = _ => 3,
    };

    private static readonly Option<int> s_batchSize = new("--batch-size")
    {
        Description = "How many upgraded records are written in one atomic batch (1 to 10000).",
        DefaultValueFactory = _ => new StateMigrationOptions().BatchSize,
    };

    private static readonly Option<bool> s_quarantineFailures = new("--quarantine-failures")
    {
        Description = "Move a record that cannot be upgraded (not JSON, a failing step) into the quarantine and go on, instead of stopping. Records newer than the code still stop it.",
    };

    public static Command Create()
    {
        var command = new Command("migrate", "Upgrades every record of the application's state types to the code's schema version; --dry-run writes nothing.")
            .With("typedstate migrate --assembly bin/Release/net10.0/App.dll --dry-run", "typedstate migrate --assembly bin/App.dll --quarantine-failures");
        command.Options.Add(s_assembly);
        command.Options.Add(s_dryRun);
        command.Options.Add(s_samples);
        command.Options.Add(s_batchSize);
        command.Options.Add(s_quarantineFailures);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var schemas = AppAssembly.LoadSchemas(parse.GetRequiredValue(s_assembly));
        var batchSize = parse.GetValue(s_batchSize);
        var samples = parse.GetValue(s_samples);
        if (batchSize is < 1 or > 10_000 || samples < 0)
        {
            throw new ToolException(ExitCodes.Usage, "--batch-size must be between 1 and 10000, and --samples at least 0.");
        }

        var progress = new MigrationProgress(output);
        var migrator = new StateMigrator(store.State, schemas, new StateMigrationOptions
        {
            BatchSize = batchSize,
            OnFailure = parse.GetValue(s_quarantineFailures) ? StateMigrationFailureAction.Quarantine : StateMigrationFailureAction.Stop,
        }, new MigrationProgressLogger(progress.Scanned));
        if (!parse.GetValue(s_dryRun))
        {
            return await progress.RunAsync(store, migrator, cancellationToken).ConfigureAwait(false);
        }

        var plan = await migrator.PlanAsync(new StateMigrationPlanOptions { SampleCount = samples }, cancellationToken).ConfigureAwait(false);
        MigratePlanOutput.Write(output, store, plan);

        // With the quarantine, only records newer than the code would stop the run; the others would be moved aside.
        var quarantine = parse.GetValue(s_quarantineFailures);
        var stopping = quarantine ? plan.Types.Sum(type => type.NewerThanCode) : plan.FailureCount;
        if (quarantine && plan.Types.Sum(type => type.WouldFail) is > 0 and var moved)
        {
            output.Error($"{store.Description}: {moved} record(s) would be quarantined (listed above); nothing was written.");
        }

        if (stopping == 0)
        {
            return ExitCodes.Success;
        }

        output.Error($"{store.Description}: {stopping} record(s) would stop the migration (listed above); nothing was written.");
        return ExitCodes.DataError;
    }
}
