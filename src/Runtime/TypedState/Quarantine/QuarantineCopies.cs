using TypedState.Storage;

namespace TypedState;

/// <summary>
/// Moves into the quarantine on a driver whose commits stay within one root (<see cref="IStateDriver.CommitsSpanRoots"/>
/// false): the envelope lives in global state and the record in its guild's root, so the move is two honest steps.
/// The envelope is committed alone first, then the original is removed on the version read. A crash or an error between
/// leaves a copy in the quarantine, never a loss; a conflict on the removal (a writer got there first) takes the copy back.
/// </summary>
internal static class QuarantineCopies
{
    /// <summary>
    /// Adds the two writes of a move (<see cref="QuarantineEnvelope.MoveWrites"/>: removal, envelope) to a batch: both to
    /// <paramref name="writes"/> when one commit may hold them, else the removal to <paramref name="writes"/> and the
    /// envelope to <paramref name="copies"/>.
    /// </summary>
    public static void Plan(IStateDriver driver, StateOwner owner, StateWrite[] move, List<StateWrite> writes, List<StateWrite> copies)
    {
        writes.Add(move[0]);
        (InOneCommit(driver, owner) ? writes : copies).Add(move[1]);
    }

    /// <summary>
    /// Whether a write to <paramref name="owner"/> and one to the quarantine (global state) may share a commit: always
    /// for a global owner, else only on a driver whose commits span roots.
    /// </summary>
    public static bool InOneCommit(IStateDriver driver, StateOwner owner) => owner.Scope == Scope.Global || driver.CommitsSpanRoots;

    /// <summary>
    /// Commits <paramref name="copies"/> one by one, then <paramref name="writes"/>; when <paramref name="writes"/> are
    /// refused on a conflict, the copies this call made are taken back before the conflict is thrown.
    /// </summary>
    public static async ValueTask<CommitResult> CommitAsync(StateManager manager, string operation, IReadOnlyList<StateWrite> writes, IReadOnlyList<StateWrite> copies, CancellationToken cancellationToken)
    {
        var made = new List<StateWrite>(copies.Count);
        foreach (var copy in copies)
        {
            try
            {
                var copied = await manager.CommitAsync(operation, [copy], cancellationToken).ConfigureAwait(false);
                made.Add(new StateWrite(copy.Owner, copy.Key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, copied.Versions[0]));
            }
            catch (StateConflictException)
            {
                // An envelope's id names the record's owner, key and version, so the one there already is a copy of
                // this very record, left by an attempt that stopped before removing the original.
            }
        }

        try
        {
            return await manager.CommitAsync(operation, writes, cancellationToken).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            await TakeBackAsync(manager, operation, made).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask TakeBackAsync(StateManager manager, string operation, List<StateWrite> made)
    {
        foreach (var removal in made)
        {
            try
            {
                await manager.CommitAsync(operation, [removal], CancellationToken.None).ConfigureAwait(false);
            }
            catch (StateException)
            {
                // A copy left behind is only a copy: the record is still in place, and operators see the copy listed.
            }
        }
    }
}
