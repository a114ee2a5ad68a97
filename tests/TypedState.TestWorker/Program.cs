using System.Globalization;
using TypedState.TestWorker;

// A child process for the multi-process and crash-durability tests. Modes:
//   increment <connectionString> <key> <count>
//       Prints "ready" once the store is open, waits for one line on stdin (or its end) so that every worker
//       starts together, then makes <count> optimistic increments of the Global counter <key> and prints
//       "done attempts=<A> values=<v1>,<v2>,..." (the value each successful write stored). Exit 0 on success.
//   lock-increment <store> <key> <count>
//       Like increment, but each increment holds the key lock and writes without an expected version.
//   hold-lock <store> <key> <leaseMs>
//       Takes the key lock, prints "held <token>", and never releases it (to be killed).
//   hold-write-lock <connectionString>
//       Takes SQLite's write lock (BEGIN IMMEDIATE on a plain connection), prints "locked", rolls back on one line
//       from stdin (or its end) and prints "released", then waits for stdin to end.
//   <store> is a connection string for SQLite or "redis|config|prefix", "postgres|connString|schema" (StoreSpec).
//   transactions <connectionString>
//       Commits transactions forever: transaction N writes agent "tx/N/a", guild "tx/N/b" and global "tx/N/c"
//       (values "N/a", "N/b", "N/c") plus global "last" = N, and only after the commit returned prints
//       "committed N". Meant to be killed.
//   timeline-transactions <store>
//       The same on guild "guild-1" with its timeline started: transaction N writes agent "tx/N/a", guild "tx/N/b"
//       and guild "last" = N, and appends the event "evt-N"; then prints "committed N". Meant to be killed.
// Errors go to stderr with a non-zero exit code.
if (args.Length == 0)
{
    return Usage();
}

try
{
    switch (args[0])
    {
        case "increment" when args.Length == 4
            && int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var count):
            await IncrementMode.RunAsync(args[1], args[2], count).ConfigureAwait(false);
            return 0;
        case "lock-increment" when args.Length == 4
            && int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var lockedCount):
            await LockIncrementMode.RunAsync(args[1], args[2], lockedCount).ConfigureAwait(false);
            return 0;
        case "hold-lock" when args.Length == 4
            && int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var leaseMs):
            await HoldLockMode.RunAsync(args[1], args[2], leaseMs).ConfigureAwait(false);
            return 0;
        case "hold-write-lock" when args.Length == 2:
            await HoldWriteLockMode.RunAsync(args[1]).ConfigureAwait(false);
            return 0;
        case "transactions" when args.Length == 2:
            await TransactionsMode.RunAsync(args[1]).ConfigureAwait(false);
            return 0;
        case "timeline-transactions" when args.Length == 2:
            await TimelineTransactionsMode.RunAsync(args[1]).ConfigureAwait(false);
            return 0;
        default:
            return Usage();
    }
}
#pragma warning disable CA1031 // The worker's contract is "any failure: message on stderr, exit code 1".
catch (Exception ex)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync($"worker {args[0]} failed: {ex}").ConfigureAwait(false);
    await Console.Error.FlushAsync().ConfigureAwait(false);
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: increment|lock-increment <store> <key> <count> | hold-lock <store> <key> <leaseMs> | hold-write-lock <connectionString> | transactions <connectionString> | timeline-transactions <store>");
    return 2;
}
