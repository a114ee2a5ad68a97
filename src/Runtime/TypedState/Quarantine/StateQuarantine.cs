using System.Runtime.CompilerServices;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

/// <summary>
/// Moves records that cannot be read or migrated out of the application's way, and back. A quarantined record is kept
/// whole (its bytes, owner, key and version, the reason and the time) in a place the store never serves to the
/// application: its reads, listings and transactions do not see it. Every move is one atomic commit that expects the
/// version read, so a concurrent writer makes it a conflict, never a loss.
/// </summary>
/// <remarks>
/// <para>On a driver whose commits stay within one root (<see cref="IStateDriver.CommitsSpanRoots"/> false, such as
/// Redis on a cluster) the quarantine, in global state, and a guild's or agent's record cannot share a commit: a move is
/// then two steps, the copy into the quarantine first and the removal of the original on the version read after (a
/// conflict takes the copy back); a restore puts the record back first and removes its copy after. An error or a crash
/// between the steps leaves a copy in the quarantine, never a loss.</para>
/// <para>The startup migrator quarantines the records it cannot upgrade when
/// <see cref="StateMigrationOptions.OnFailure"/> is <see cref="StateMigrationFailureAction.Quarantine"/>; operators
/// list and restore them with <c>typedstate quarantine</c>.</para>
/// </remarks>
public sealed class StateQuarantine
{
    private readonly StateManager _manager;
    private readonly TimeProvider _time;

    /// <summary>Creates the quarantine of the store of <paramref name="manager"/>.</summary>
    public StateQuarantine(StateManager manager, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        _manager = manager;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Moves the record at <paramref name="key"/> of <paramref name="owner"/> into the quarantine, with
    /// <paramref name="reason"/>, and returns it as kept there.
    /// </summary>
    /// <param name="owner">The record's owner.</param>
    /// <param name="key">The record's key.</param>
    /// <param name="reason">Why it is moved, for whoever restores it.</param>
    /// <param name="expectedVersion">The version the record must have (null: the version read now).</param>
    /// <param name="cancellationToken">Cancels the move before it is committed.</param>
    /// <exception cref="StateNotFoundException">There is no such record.</exception>
    /// <exception cref="StateConflictException">The record is not at <paramref name="expectedVersion"/>, or was written meanwhile.</exception>
    public async ValueTask<QuarantinedRecord> QuarantineAsync(StateOwner owner, string key, string reason, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        _manager.ValidateKey(owner, key);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        StateManager.ValidateExpectedVersion(expectedVersion);
        var stored = await _manager.GetRecordAsync(owner, key, cancellationToken).ConfigureAwait(false)
            ?? throw new StateNotFoundException(owner, key);
        if (expectedVersion is { } expected && expected != stored.Version)
        {
            throw new StateConflictException(owner, key, expected, stored.Version);
        }

        var at = _time.GetUtcNow();
        List<StateWrite> writes = [], copies = [];
        QuarantineCopies.Plan(_manager.Driver, owner, QuarantineEnvelope.MoveWrites(owner, stored, reason, at, out var id), writes, copies);
        await QuarantineCopies.CommitAsync(_manager, "quarantine", writes, copies, cancellationToken).ConfigureAwait(false);
        StateLog.Quarantined(_manager.Logger, owner, key, stored.Version, id, reason);
        return new QuarantinedRecord(id, owner, key, stored.Version, reason, at, stored.Value);
    }

    /// <summary>Streams the quarantined records, page by page, in the order of their ids.</summary>
    /// <exception cref="CorruptStateException">A quarantine entry is not readable (named by its global key).</exception>
    public async IAsyncEnumerable<QuarantinedRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<StoredRecord> enumerator;
        try
        {
            enumerator = _manager.Driver.ListAsync(StateOwner.Global, QuarantineEnvelope.KeyPrefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            throw _manager.Translate(ex, "quarantine list", StateOwner.Global, null);
        }

        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                bool hasNext;
                try
                {
                    hasNext = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    throw _manager.Translate(ex, "quarantine list", StateOwner.Global, null);
                }

                if (!hasNext)
                {
                    yield break;
                }

                yield return QuarantineEnvelope.Decode(enumerator.Current);
            }
        }
    }

    /// <summary>The quarantined record with <paramref name="id"/>, or null when there is none.</summary>
    public async ValueTask<QuarantinedRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await ReadEnvelopeAsync(id, cancellationToken).ConfigureAwait(false) is { } envelope ? QuarantineEnvelope.Decode(envelope) : null;

    /// <summary>
    /// Puts the quarantined record <paramref name="id"/> back at its owner and key, as a new write that requires the key
    /// to be empty now, and removes it from the quarantine in the same commit. Returns the restored record's version.
    /// </summary>
    /// <exception cref="StateQuarantineException">No quarantined record has the id (<see cref="QuarantineFailure.NotFound"/>).</exception>
    /// <exception cref="StateConflictException">A record is stored at the owner and key now: nothing was changed.</exception>
    public async ValueTask<long> RestoreAsync(string id, CancellationToken cancellationToken = default)
    {
        var envelope = await ReadEnvelopeAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new StateQuarantineException(QuarantineFailure.NotFound, id, $"No quarantined record has the id '{KeyRules.Printable(id)}'.");
        var record = QuarantineEnvelope.Decode(envelope);
        var putBack = new StateWrite(record.Owner, record.Key, StateWriteKind.Set, record.Value, 0);
        var removal = new StateWrite(StateOwner.Global, envelope.Key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, envelope.Version);
        CommitResult result;
        if (QuarantineCopies.InOneCommit(_manager.Driver, record.Owner))
        {
            result = await _manager.CommitAsync("restore", [putBack, removal], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Two roots: the record is put back first, then its copy leaves the quarantine; an error between leaves the
            // record restored and its copy still listed (restoring it again conflicts), never a loss.
            result = await _manager.CommitAsync("restore", [putBack], cancellationToken).ConfigureAwait(false);
            await _manager.CommitAsync("restore", [removal], cancellationToken).ConfigureAwait(false);
        }

        StateLog.QuarantineRestored(_manager.Logger, record.Owner, record.Key, id, result.Versions[0]);
        return result.Versions[0];
    }

    /// <summary>
    /// Restores the one quarantined record that came from <paramref name="key"/> of <paramref name="owner"/> (see
    /// <see cref="RestoreAsync(string, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="StateQuarantineException">None came from there, or several did (name it by its id then).</exception>
    /// <exception cref="StateConflictException">A record is stored at the owner and key now: nothing was changed.</exception>
    public async ValueTask<long> RestoreByKeyAsync(StateOwner owner, string key, CancellationToken cancellationToken = default)
    {
        var record = await FindAsync(owner, key, cancellationToken).ConfigureAwait(false);
        return await RestoreAsync(record.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The one quarantined record that came from <paramref name="key"/> of <paramref name="owner"/>.</summary>
    /// <exception cref="StateQuarantineException">None came from there, or several did (their ids are in the message).</exception>
    public async ValueTask<QuarantinedRecord> FindAsync(StateOwner owner, string key, CancellationToken cancellationToken = default)
    {
        _manager.ValidateKey(owner, key);
        var found = new List<QuarantinedRecord>();
        await foreach (var record in ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (record.Owner == owner && record.Key == key)
            {
                found.Add(record);
            }
        }

        return found.Count switch
        {
            1 => found[0],
            0 => throw new StateQuarantineException(QuarantineFailure.NotFound, null, "No quarantined record came from this owner and key.", owner, key),
            _ => throw new StateQuarantineException(QuarantineFailure.Ambiguous, null, $"{found.Count} quarantined records came from this owner and key ({string.Join(", ", found.Select(r => r.Id))}): name the one meant by its id.", owner, key),
        };
    }

    private async ValueTask<StoredRecord?> ReadEnvelopeAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (KeyRules.Describe(id, StateOwner.MaxIdLength, allowEmpty: false) is { } problem)
        {
            throw new StateQuarantineException(QuarantineFailure.NotFound, id, $"'{KeyRules.Printable(id)}' is not a quarantine id: {problem}.");
        }

        var key = QuarantineEnvelope.KeyPrefix + id;
        try
        {
            return await _manager.Driver.ReadAsync(StateOwner.Global, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw _manager.Translate(ex, "quarantine get", StateOwner.Global, key);
        }
    }
}
