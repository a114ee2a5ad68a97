using System.CommandLine;
using TypedState.Tool.Commands;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

// typedstate: the operator's tool for TypedState stores. Commands and exit codes: docs/tool.md.
var root = new RootCommand("typedstate: inspect and operate TypedState stores (SQLite, PostgreSQL, Redis), configured as the application is.");
foreach (var option in StoreOptions.All)
{
    root.Options.Add(option);
}

root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(GetCommand.Create());
root.Subcommands.Add(ListCommand.Create());
root.Subcommands.Add(HistoryCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
root.Subcommands.Add(QuarantineCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(LocksCommand.Create());
foreach (var command in TimelineCommands.Create())
{
    root.Subcommands.Add(command);
}

Examples.Install(root);
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
