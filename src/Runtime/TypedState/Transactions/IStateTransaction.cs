using System.Text.Json.Serialization.Metadata;
using TypedState.Timeline;

namespace TypedState;

/// <summary>
/// A unit of work over any owners and scopes. Reads see the transaction's own writes and are repeatable;
/// writes are buffered and applied atomically by <see cref="CommitAsync"/>, which fails with a
/// <see cref="StateConflictException"/> when a record the transaction read or wrote was changed by someone
/// else meanwhile. Disposing without committing discards everything. Not thread-safe: use one transaction
/// from one logical flow.
/// </summary>
/// <remarks>
/// <para>
/// What the commit checks: every record the transaction read (<c>GetAsync</c>, including a key it found absent,
/// which must still be absent), wrote or deleted, and every record a <c>ListAsync</c> of the transaction returned.
/// A record in any of these that another client changed, deleted or (for a key found absent) created meanwhile makes
/// <see cref="CommitAsync"/> throw <see cref="StateConflictException"/>, naming the record's scope, owner and key,
/// and nothing is applied. A listing stopped early checks only the records it returned.
/// </para>
/// <para>
/// What it does not check: a record added under a listed prefix after the listing (a phantom). A transaction that
/// lists <c>items/</c>, sees two records and writes <c>count = 2</c> commits even though another client added
/// <c>items/c</c> meanwhile; the drivers check records, not key ranges. To make a collection safe, keep a record
/// under a known key (a count or a version of the collection) that every writer of the collection updates in the
/// same transaction as its change, and read it in every transaction that relies on the whole collection: an
/// addition then changes that record, and the commit fails.
/// </para>
/// </remarks>
public interface IStateTransaction : IStateOperations, IAsyncDisposable, IDisposable
{
    /// <summary>Whether the transaction is still open (not committed, rolled back, failed or disposed).</summary>
    bool IsActive { get; }

    /// <summary>
    /// Appends a domain event to the timeline of the owner's guild when the transaction commits, atomically with its
    /// state changes (<see cref="IGuildTimelines"/>). An <paramref name="eventId"/> the timeline already holds appends
    /// nothing (an idempotency key); returns the id, generated when none is given. The guild must have a timeline.
    /// </summary>
    string Append<TEvent>(StateOwner owner, TEvent domainEvent, JsonTypeInfo<TEvent> typeInfo, string? eventId = null);

    /// <summary>Applies every buffered write atomically, or none of them.</summary>
    /// <returns>The records written and deleted, with the versions the store gave them (<see cref="TransactionCommit"/>).</returns>
    /// <exception cref="StateConflictException">
    /// A record read, listed or written by the transaction changed since; nothing was applied. A record added under a
    /// listed prefix is not a conflict (see the remarks of <see cref="IStateTransaction"/>).
    /// </exception>
    ValueTask<TransactionCommit> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Discards every buffered write.</summary>
    ValueTask RollbackAsync(CancellationToken cancellationToken = default);
}
