using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;

namespace TypedState.AgentFramework.Workflows;

/// <summary>
/// Workflow checkpoints on TypedState. A run (the framework's checkpoint session id) is a guild: its checkpoints live
/// under <c>StateOwner.Guild(runId)</c>, so removing the guild (<see cref="DeleteRunAsync"/>) removes them together
/// with the state of the run's agents. Use it through <c>CheckpointManager.CreateJson(store)</c>.
/// </summary>
/// <remarks>
/// <para>Each checkpoint gets the next sequence number of its run in the transaction that stores it, so the index is in
/// commit order by construction (<c>GetLatestCheckpointAsync</c> takes the last). Payloads are the framework's JSON
/// kept as an opaque string, byte-exact on every driver, split across records beyond the chunk size.</para>
/// <para>Every transaction stays within the run's guild, so the store works where one commit holds one root only (a
/// Redis Cluster). The run's summary lives in its guild too; the global list of runs only names the runs, and a run is
/// named there, in a write of its own, before its first checkpoint commits: a crash between leaves a named run without
/// checkpoints, which <see cref="ListRunsAsync"/> leaves out, never a run with checkpoints that is not listed.</para>
/// </remarks>
public sealed class TypedStateCheckpointStore : JsonCheckpointStore
{
    private const string Root = "maf/checkpoints/";
    private const string HeadKey = Root + "head";
    private const string RunSummaryKey = Root + "run";
    private const string RunsPrefix = "maf/runs/";

    private readonly IStateManager _state;
    private readonly PayloadStore _payloads;
    private readonly int? _keepLast;

    /// <summary>Creates the store over <paramref name="state"/>.</summary>
    /// <param name="state">The TypedState store.</param>
    /// <param name="keepLast">When set, a run keeps only its latest this many checkpoints: older ones are removed as new ones are stored.</param>
    /// <param name="chunkBytes">The size of one record of a checkpoint (see <see cref="AgentFrameworkOptions.ChunkBytes"/>).</param>
    public TypedStateCheckpointStore(IStateManager state, int? keepLast, int chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (keepLast is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, "A run must keep at least one checkpoint (null keeps all).");
        }

        _state = state;
        _keepLast = keepLast;
        _payloads = new PayloadStore(PayloadStore.ChunkBytesFor(state, chunkBytes));
    }

    /// <summary>The guild a run's checkpoints (and its agents' state) live in.</summary>
    public static string GuildOf(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return KeySegments.OwnerId(runId);
    }

    /// <inheritdoc/>
    public override async ValueTask<CheckpointInfo> CreateCheckpointAsync(string sessionId, JsonElement value, CheckpointInfo? parent = null)
    {
        var owner = StateOwner.Guild(GuildOf(sessionId));
        var json = value.GetRawText();
        var checkpoint = new CheckpointInfo(sessionId, Guid.NewGuid().ToString("N"));
        var now = DateTimeOffset.UtcNow;
        var createdAt = await NameRunAsync(sessionId, now).ConfigureAwait(false);
        await _state.RunTransactionAsync(
            async (transaction, ct) =>
            {
                var head = await transaction.GetAsync(owner, HeadKey, CheckpointJsonContext.Default.Int64, ct).ConfigureAwait(false);
                var sequence = head.Exists ? head.Value : 0;
                await _payloads.WriteAsync(transaction, owner, PayloadKey(sequence), json, PayloadStore.NewEtag(), previous: null, ct).ConfigureAwait(false);
                var entry = new CheckpointEntry { CheckpointId = checkpoint.CheckpointId, ParentId = parent?.CheckpointId, CreatedAt = now };
                await transaction.SetAsync(owner, EntryKey(sequence), entry, CheckpointJsonContext.Default.CheckpointEntry, cancellationToken: ct).ConfigureAwait(false);
                await transaction.SetAsync(owner, IdKey(checkpoint.CheckpointId), sequence, CheckpointJsonContext.Default.Int64, cancellationToken: ct).ConfigureAwait(false);
                await transaction.SetAsync(owner, HeadKey, sequence + 1, CheckpointJsonContext.Default.Int64, cancellationToken: ct).ConfigureAwait(false);
                if (_keepLast is { } keep && sequence - keep >= 0)
                {
                    await DeleteCheckpointAsync(transaction, owner, sequence - keep, ct).ConfigureAwait(false);
                }

                var run = await transaction.GetAsync(owner, RunSummaryKey, CheckpointJsonContext.Default.RunEntry, ct).ConfigureAwait(false);
                var summary = run.TryGetValue(out var existing) ? existing : new RunEntry { RunId = sessionId, CreatedAt = createdAt };
                summary.LastCheckpointAt = now;
                summary.Checkpoints = sequence + 1;
                await transaction.SetAsync(owner, RunSummaryKey, summary, CheckpointJsonContext.Default.RunEntry, cancellationToken: ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return checkpoint;
    }

    /// <inheritdoc/>
    public override async ValueTask<JsonElement> RetrieveCheckpointAsync(string sessionId, CheckpointInfo key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var owner = StateOwner.Guild(GuildOf(sessionId));
        var idKey = IdKey(key.CheckpointId);
        var sequence = await _state.GetAsync(owner, idKey, CheckpointJsonContext.Default.Int64).ConfigureAwait(false);
        if (key.SessionId != sessionId
            || !sequence.Exists
            || await PayloadStore.ReadAsync(_state, owner, PayloadKey(sequence.Value), CancellationToken.None).ConfigureAwait(false) is not { } stored)
        {
            throw new CheckpointNotFoundException(sessionId, key.CheckpointId, owner, idKey);
        }

        using var document = JsonDocument.Parse(stored.Text);
        return document.RootElement.Clone();
    }

    /// <inheritdoc/>
    public override async ValueTask<IEnumerable<CheckpointInfo>> RetrieveIndexAsync(string sessionId, CheckpointInfo? withParent = null)
    {
        List<CheckpointInfo> index = [];
        await foreach (var checkpoint in ListCheckpointsAsync(sessionId).ConfigureAwait(false))
        {
            if (withParent is null || checkpoint.ParentCheckpointId == withParent.CheckpointId)
            {
                index.Add(checkpoint.Checkpoint);
            }
        }

        return index;
    }

    /// <summary>The run's checkpoints in commit order, each with its parent: the run's checkpoint tree.</summary>
    public async IAsyncEnumerable<StoredCheckpoint> ListCheckpointsAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var owner = StateOwner.Guild(GuildOf(runId));
        await foreach (var entry in _state.ListAsync(owner, Root + "i/", CheckpointJsonContext.Default.CheckpointEntry, cancellationToken).ConfigureAwait(false))
        {
            var value = entry.Value!;
            var sequence = long.Parse(entry.Key.AsSpan((Root + "i/").Length), CultureInfo.InvariantCulture);
            yield return new StoredCheckpoint(new CheckpointInfo(runId, value.CheckpointId), value.ParentId, sequence, value.CreatedAt);
        }
    }

    /// <summary>The runs that have checkpoints, in run id order.</summary>
    /// <remarks>Reads the global list of runs and each listed run's summary in its guild: one read per run.</remarks>
    public async IAsyncEnumerable<StoredRun> ListRunsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in _state.ListAsync(StateOwner.Global, RunsPrefix, CheckpointJsonContext.Default.RunEntry, cancellationToken).ConfigureAwait(false))
        {
            var owner = StateOwner.Guild(GuildOf(entry.Value!.RunId));
            var summary = await _state.GetAsync(owner, RunSummaryKey, CheckpointJsonContext.Default.RunEntry, cancellationToken).ConfigureAwait(false);
            if (summary.TryGetValue(out var run))
            {
                yield return new StoredRun(run.RunId, run.CreatedAt, run.LastCheckpointAt, run.Checkpoints);
            }
            else if (entry.Value.Checkpoints > 0)
            {
                // Written before run summaries moved into the run's guild: the global entry is the summary.
                yield return new StoredRun(entry.Value.RunId, entry.Value.CreatedAt, entry.Value.LastCheckpointAt, entry.Value.Checkpoints);
            }
        }
    }

    /// <summary>Removes every checkpoint of the run but the latest <paramref name="count"/>, in one transaction.</summary>
    /// <returns>How many checkpoints were removed.</returns>
    public async ValueTask<int> KeepLastAsync(string runId, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var owner = StateOwner.Guild(GuildOf(runId));
        return await _state.RunTransactionAsync(
            async (transaction, ct) =>
            {
                var all = await ListCheckpointsAsync(runId, ct).ToListAsync(ct).ConfigureAwait(false);
                var removed = Math.Max(0, all.Count - count);
                foreach (var checkpoint in all.Take(removed))
                {
                    await DeleteCheckpointAsync(transaction, owner, checkpoint.Sequence, ct).ConfigureAwait(false);
                }

                return removed;
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the run: its guild (its checkpoints and the state of every agent in it) and its entry in the list of
    /// runs. An unknown run is a no-op.
    /// </summary>
    public async ValueTask DeleteRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await _state.RemoveGuildAsync(GuildOf(runId), cancellationToken).ConfigureAwait(false);
        await _state.DeleteAsync(StateOwner.Global, RunKey(runId), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Names the run in the global list of runs unless it is named there already (a write of its own); returns when the
    /// run was first named.
    /// </summary>
    private async ValueTask<DateTimeOffset> NameRunAsync(string runId, DateTimeOffset now)
    {
        var key = RunKey(runId);
        if ((await _state.GetAsync(StateOwner.Global, key, CheckpointJsonContext.Default.RunEntry).ConfigureAwait(false)).TryGetValue(out var named))
        {
            return named.CreatedAt;
        }

        try
        {
            await _state.SetAsync(StateOwner.Global, key, new RunEntry { RunId = runId, CreatedAt = now }, CheckpointJsonContext.Default.RunEntry, expectedVersion: 0).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            // Another writer of the run named it meanwhile.
        }

        return now;
    }

    private static async ValueTask DeleteCheckpointAsync(IStateTransaction transaction, StateOwner owner, long sequence, CancellationToken cancellationToken)
    {
        var entry = await transaction.GetAsync(owner, EntryKey(sequence), CheckpointJsonContext.Default.CheckpointEntry, cancellationToken).ConfigureAwait(false);
        var head = await transaction.GetAsync(owner, PayloadKey(sequence), StoredJsonContext.Default.PayloadHead, cancellationToken).ConfigureAwait(false);
        if (head.TryGetValue(out var payload))
        {
            await PayloadStore.DeleteAsync(transaction, owner, PayloadKey(sequence), payload, cancellationToken).ConfigureAwait(false);
        }

        if (entry.TryGetValue(out var value))
        {
            await transaction.DeleteAsync(owner, IdKey(value.CheckpointId), cancellationToken: cancellationToken).ConfigureAwait(false);
            await transaction.DeleteAsync(owner, EntryKey(sequence), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Sequence(long sequence) => sequence.ToString("D12", CultureInfo.InvariantCulture);

    private static string EntryKey(long sequence) => Root + "i/" + Sequence(sequence);

    private static string PayloadKey(long sequence) => Root + "p/" + Sequence(sequence);

    private static string IdKey(string checkpointId) => Root + "id/" + KeySegments.Segment(checkpointId);

    private static string RunKey(string runId) => RunsPrefix + KeySegments.Segment(runId);
}
