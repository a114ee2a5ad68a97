using System.Text.Json;
using Npgsql;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// The driver reuses the parameters and batches of its write and lock statements across calls. Many callers write,
/// commit batches and take locks at once, some of them cancelled at random moments, on a small connection pool with
/// automatic preparation: every value, version, token and holder the store holds afterwards must be the one its own
/// caller was told (or, for a cancelled call, either all of the old state or all of the new), never another caller's.
/// </summary>
public sealed class PostgresPooledCommandStressTests : IAsyncLifetime
{
    private const int Workers = 12;
    private const int OperationsPerWorker = 60;
    private const int KeysPerWorker = 4;

    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Concurrent_cancelled_writes_batches_and_locks_store_exactly_what_each_caller_was_told()
    {
        // Its own data source, so the driver sets automatic preparation; few connections, so each is reused often.
        var connectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionStringWith("ts-pooled-stress")) { MaxPoolSize = 4 }.ToString();
        await using var driver = new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = connectionString, Schema = _schemas.New("pooled") });
        await driver.StartTimelineAsync("logged", CancellationToken.None);

        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => new Worker(driver, w).RunAsync())).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(workers.Sum(worker => worker.Result) > Workers * OperationsPerWorker / 4, "too few operations completed to prove anything");
    }

    /// <summary>One caller: its own records and lock, so what the store holds for them is known exactly.</summary>
    private sealed class Worker(PostgresStateDriver driver, int id)
    {
        private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(5);
        private readonly Random _random = new(id * 7919 + 1);
        private readonly (StateOwner Owner, string Key)[] _records = RecordsOf(id);
        private readonly (string? Value, long Version)[] _known = new (string?, long)[KeysPerWorker];
        private readonly StateOwner _lockOwner = StateOwner.Agent(id % 2 == 0 ? "gü" : "plain", "locker" + id);
        private (long Token, string? Holder)? _held;
        private long _lastToken;
        private int _completed;

        /// <summary>Runs the operations; returns how many completed without being cancelled.</summary>
        public async Task<int> RunAsync()
        {
            for (var n = 0; n < OperationsPerWorker; n++)
            {
                using var cancellation = new CancellationTokenSource();
                if (_random.Next(10) < 4)
                {
                    cancellation.CancelAfter(TimeSpan.FromMilliseconds(_random.Next(0, 6)));
                }

                if (_random.Next(5) == 0)
                {
                    await LockStepAsync(n, cancellation.Token);
                }
                else
                {
                    await WriteStepAsync(n, cancellation.Token);
                }
            }

            return _completed;
        }

        private static (StateOwner, string)[] RecordsOf(int id)
        {
            // Guild and agent records of plain guilds (one with a non-ASCII id) and of a guild keeping a timeline.
            StateOwner[] owners = [StateOwner.Guild("plain"), StateOwner.Agent("gü", "agent" + id), StateOwner.Guild("logged"), StateOwner.Global];
            return [.. Enumerable.Range(0, KeysPerWorker).Select(i => (owners[i % owners.Length], $"w{id}-k{i}"))];
        }

        private async Task WriteStepAsync(int n, CancellationToken cancellationToken)
        {
            // One to three distinct records, each set (unconditionally or on its version) or deleted on its version.
            var count = _random.Next(1, 4);
            var chosen = Enumerable.Range(0, KeysPerWorker).OrderBy(_ => _random.Next()).Take(count).ToArray();
            var writes = new StateWrite[count];
            var planned = new string?[count];
            for (var c = 0; c < count; c++)
            {
                var (owner, key) = _records[chosen[c]];
                var known = _known[chosen[c]];
                var choice = _random.Next(4);
                if (choice == 0 && known.Value is not null)
                {
                    writes[c] = new StateWrite(owner, key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, known.Version);
                    continue;
                }

                // Some values jsonb cannot hold (a NUL), so both value parameters carry values in turn.
                // Now and then a value larger than the connection's write buffer, so sending overlaps reading.
                var padding = _random.Next(20) == 0 ? 100_000 : _random.Next(0, 400);
                planned[c] = $"{(_random.Next(5) == 0 ? "\0" : "")}w{id}-n{n}-{key}-{new string('x', padding)}";
                ReadOnlyMemory<byte> bytes = JsonSerializer.SerializeToUtf8Bytes(planned[c]);
                if (_random.Next(3) == 0)
                {
                    // A slice of a larger buffer, which the driver passes as memory rather than as the whole array.
                    var buffer = new byte[bytes.Length + 2];
                    bytes.CopyTo(buffer.AsMemory(1));
                    bytes = buffer.AsMemory(1, bytes.Length);
                }

                writes[c] = new StateWrite(owner, key, StateWriteKind.Set, bytes, choice == 1 ? null : known.Version);
            }

            var commitId = _random.Next(2) == 0 ? CommitId.New() : CommitId.None;
            CommitResult result;
            try
            {
                result = await driver.CommitAsync(writes, [], commitId, cancellationToken);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && IsCancellation(ex))
            {
                // Only a lost answer may have applied the batch; any other failure applied nothing.
                await ResolveAsync(chosen, planned, writes, mayHaveApplied: ex is CommitOutcomeUnknownException);
                return;
            }

            Assert.True(result.Succeeded, $"worker {id}, operation {n}: {result.Failure} at {result.ConflictIndex} (live {result.ActualVersion}) though only this worker writes its records");
            for (var c = 0; c < count; c++)
            {
                Assert.True(planned[c] is null || result.Versions[c] > _known[chosen[c]].Version, $"worker {id}: {writes[c].Key} got version {result.Versions[c]} after {_known[chosen[c]].Version}");
                // A deleted record reads as absent, and a write on it expects version 0.
                _known[chosen[c]] = planned[c] is null ? (null, 0) : (planned[c], result.Versions[c]);
                await AssertStoredAsync(chosen[c]);
            }

            _completed++;
        }

        /// <summary>After a cancelled commit: either every record kept its state or every one took the new one.</summary>
        private async Task ResolveAsync(int[] chosen, string?[] planned, StateWrite[] writes, bool mayHaveApplied)
        {
            var applied = new bool[chosen.Length];
            var kept = new bool[chosen.Length];
            var stored = new (string? Value, long Version)[chosen.Length];
            for (var c = 0; c < chosen.Length; c++)
            {
                stored[c] = await ReadAsync(chosen[c]);
                var before = _known[chosen[c]];
                kept[c] = stored[c] == before;
                applied[c] = stored[c].Value == planned[c] && (planned[c] is null ? before.Value is not null : stored[c].Version > before.Version);
                Assert.True(kept[c] || applied[c], $"worker {id}: after a cancelled commit {writes[c].Key} holds ({Show(stored[c].Value)}, {stored[c].Version}), neither ({Show(before.Value)}, {before.Version}) nor {Show(planned[c])}");
            }

            Assert.True(kept.All(k => k) || (mayHaveApplied && applied.All(a => a)), $"worker {id}: a cancelled commit applied in part, or applied though it reported nothing applied");
            for (var c = 0; c < chosen.Length; c++)
            {
                _known[chosen[c]] = stored[c];
            }
        }

        private async Task LockStepAsync(int n, CancellationToken cancellationToken)
        {
            var holder = _random.Next(3) == 0 ? null : $"holder-{id}-{n}";
            try
            {
                if (_held is not { } held)
                {
                    var grant = await driver.TryAcquireLockAsync(_lockOwner, "resource", s_lease, holder, cancellationToken);
                    Assert.NotNull(grant);
                    Assert.True(grant.Value.Token > _lastToken, $"worker {id}: token {grant.Value.Token} after {_lastToken}");
                    (_held, _lastToken) = ((grant.Value.Token, holder), grant.Value.Token);
                }
                else if (_random.Next(2) == 0)
                {
                    var renewed = await driver.RenewLockAsync(_lockOwner, "resource", held.Token, s_lease, cancellationToken);
                    Assert.Equal(held.Token, renewed?.Token);
                }
                else
                {
                    await driver.ReleaseLockAsync(_lockOwner, "resource", held.Token, cancellationToken);
                    _held = null;
                }

                _completed++;
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && IsCancellation(ex))
            {
                // Whatever happened, the lock is held under a token at least the last known one, or not at all.
                var listed = await ListedAsync();
                if (listed is { } found)
                {
                    Assert.True(found.Token == _held?.Token || (found.Token > _lastToken && found.Holder == holder), $"worker {id}: after a cancelled lock call the lock is held under token {found.Token} by {found.Holder}");
                    _lastToken = Math.Max(_lastToken, found.Token);
                }

                _held = listed;
                return;
            }

            Assert.Equal(_held, await ListedAsync());
        }

        /// <summary>The worker's lock as the store lists it.</summary>
        private async Task<(long Token, string? Holder)?> ListedAsync()
        {
            await foreach (var held in driver.ListLocksAsync(Scope.Agent, CancellationToken.None))
            {
                if (held.Owner == _lockOwner && held.Key == "resource")
                {
                    return (held.Token, held.Holder);
                }
            }

            return null;
        }

        private async Task AssertStoredAsync(int record)
        {
            var stored = await ReadAsync(record);
            Assert.True(stored == _known[record], $"worker {id}: {_records[record].Key} holds ({Show(stored.Value)}, {stored.Version}), but its writer was told ({Show(_known[record].Value)}, {_known[record].Version})");
        }

        private async Task<(string? Value, long Version)> ReadAsync(int record)
        {
            var (owner, key) = _records[record];
            var stored = await driver.ReadAsync(owner, key, CancellationToken.None);
            return stored is { } found ? (JsonSerializer.Deserialize<string>(found.Value.Span), found.Version) : (null, 0);
        }

        private static string Show(string? value) => value is null ? "absent" : value[..Math.Min(value.Length, 24)].Replace("\0", "\\0", StringComparison.Ordinal);

        /// <summary>What a call cancelled part-way may throw: never a cast, argument or other client error.</summary>
        private static bool IsCancellation(Exception ex) =>
            ex is OperationCanceledException or CommitOutcomeUnknownException or StateException or NpgsqlException or TimeoutException;
    }
}
