namespace TypedState.Storage;

/// <summary>
/// The one seam a storage back-end implements: bytes and versions only. Validation, serialization,
/// transactions, retries, errors, logging and telemetry live in <see cref="StateManager"/>, written once,
/// so every driver passes the same conformance suite.
/// </summary>
/// <remarks>
/// <para>Versions are per record, start at 1 and grow by one on every write, deletes included: a driver keeps a
/// tombstone for a deleted key so that a re-created key continues from the tombstone's version and an old
/// expected version can never match again. Removing an owner drops its records and tombstones but keeps a
/// version floor for the guild (see <see cref="RemoveOwnerAsync"/>).</para>
/// <para>Keys are compared by Unicode code point (the order of their UTF-8 bytes); <see cref="StateKeyOrder"/>
/// has the comparer and the prefix range helper.</para>
/// <para>Value buffers handed to a driver are never mutated or reused by the core, so a driver may keep them.</para>
/// <para>A stored value comes back as the same JSON document: byte for byte, or — when the bytes are one valid
/// UTF-8 JSON document — as an equal document. A driver may re-render whitespace, the order of an object's
/// properties and the spelling of numbers and string escapes (PostgreSQL's jsonb does); strings keep their text,
/// numbers their exact decimal value and the sign of a zero, arrays their order, and a repeated property name
/// stays repeated, in order. Bytes that are not a JSON document come back byte for byte. The manager's default
/// serializer options allow metadata such as <c>$type</c> anywhere in an object for this reason.</para>
/// </remarks>
public interface IStateDriver : IAsyncDisposable
{
    /// <summary>A short name for logs and telemetry, such as <c>sqlite</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Whether one commit may touch several roots at once: owners of different guilds, or a guild together with global
    /// state (a guild's root holds its own records and those of its agents). True for most drivers (the default). A
    /// sharded store keeps each root apart (the Redis driver on a Redis Cluster puts each in a hash slot of its own) and
    /// refuses a batch over two roots with a <see cref="StateException"/> whose outcome is not applied; code that
    /// batches many owners (the startup migrator, the quarantine) then commits one root at a time. A driver that learns
    /// it from its server knows it once it has connected: after its first operation.
    /// </summary>
    bool CommitsSpanRoots => true;

    /// <summary>
    /// Creates what the store needs before its first use (a database file and its tables, a schema), or checks it is
    /// there and reachable, so that another process can open the store at once; the operations do it themselves on
    /// first use otherwise. Repeatable and safe from many processes at once. The default does nothing.
    /// </summary>
    ValueTask EnsureCreatedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Reads one live record, or <see langword="null"/> when the key is absent or deleted. Its value is the
    /// document written, byte for byte or re-rendered as described in the remarks of <see cref="IStateDriver"/>.
    /// </summary>
    ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the owner's live records whose key starts with <paramref name="prefix"/> (matched literally,
    /// no wildcard characters), in key order, without loading the whole set at once.
    /// </summary>
    IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the owners of <paramref name="scope"/> that hold at least one live record, ordered by guild id and
    /// then agent id (code point order, as <see cref="StateKeyOrder.Comparer"/>); for <see cref="Scope.Global"/>
    /// that is <see cref="StateOwner.Global"/> or nothing. Drivers page through the owners (keyset, not one open
    /// cursor), so the caller may write while it enumerates and memory stays bounded; an owner created or emptied
    /// during the enumeration may or may not be yielded.
    /// </summary>
    /// <remarks>Used by the startup migrator and by operators who inspect state.</remarks>
    IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a batch of conditional writes atomically: every fence and every condition holds and every write
    /// applies, or nothing applies and the first failing fence (checked first) or write is reported. Each
    /// (owner, key) appears at most once in <paramref name="writes"/>. A batch holding an entry of a kind the driver
    /// does not know is refused before anything applies (<see cref="StateWrite.ThrowIfUnknownKind(IReadOnlyList{StateWrite})"/>).
    /// </summary>
    /// <remarks>
    /// <para><b>Commit ids.</b> Unless <paramref name="commitId"/> is <see cref="CommitId.None"/>, a driver remembers
    /// the id of every applied batch, atomically with the batch, for at least its retention (minutes; see each
    /// driver's options). A batch arriving with a remembered id applies nothing and returns the remembered result
    /// (the versions the first one returned), whatever happened to the records since. A repeat must not be decided
    /// while the first attempt may still commit (claim the id first, under the same lock or unique key).</para>
    /// <para><b>Failures.</b> A driver throws <see cref="CommitOutcomeUnknownException"/> when the batch may have
    /// been applied but the answer was lost, including when <paramref name="cancellationToken"/> fires after the batch
    /// was sent; any other exception (an <see cref="OperationCanceledException"/> included) means nothing was applied.</para>
    /// <para><b>The batch.</b> A driver reads <paramref name="writes"/> until the returned task completes and keeps no
    /// reference to it afterwards: the manager reuses a single write's batch once the commit succeeded.</para>
    /// </remarks>
    ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every record of an owner. Removing a guild owner also removes the agent state of that guild.
    /// Global state is never passed here.
    /// </summary>
    /// <remarks>
    /// The removal is serializable with commits: a batch that commits concurrently is either wholly removed (it
    /// committed first) or wholly kept (it committed after). The highest version removed is kept as the floor of
    /// the guild (<see cref="StateOwner.GuildId"/>): a record created later in that guild or any of its agents starts
    /// above it, so a version read before the removal never matches a record created after.
    /// </remarks>
    ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken);

    /// <summary>
    /// Grants a lock on <paramref name="key"/> of <paramref name="owner"/> (or on the whole owner when
    /// <paramref name="key"/> is null) for <paramref name="lease"/>, or returns null at once when a conflicting lock
    /// is held: the same resource, the owner lock while a key lock is wanted, or any key lock of the owner while
    /// the owner lock is wanted. Expired locks do not conflict. The grant records <paramref name="holder"/> (who asked,
    /// for <see cref="ListLocksAsync"/>; renewals keep it).
    /// </summary>
    ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken);

    /// <summary>Extends a held, unexpired lock granted with <paramref name="token"/>; null when it was lost.</summary>
    ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Releases the lock granted with <paramref name="token"/> if it is still that grant; otherwise does nothing.</summary>
    ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the locks held now (unexpired by the driver's clock) of every owner of <paramref name="scope"/>, or of
    /// every scope when it is null, each once, with its holder. Drivers page through the store, so memory stays
    /// bounded and the caller may take and release locks while it enumerates; a lock granted, renewed, released or
    /// expired during the enumeration may or may not be yielded.
    /// </summary>
    /// <remarks>For operators who inspect a store; nothing in the core depends on it.</remarks>
    IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, CancellationToken cancellationToken);

    /// <summary>
    /// One cheap round trip that shows the store answers (the health check's probe): completes when the store can be
    /// used, throws when it cannot, and ends early with an <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires. It changes no record. The default reads one record of
    /// <see cref="StateOwner.Global"/>; drivers override it with a lighter probe of their own.
    /// </summary>
    async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _ = await ReadAsync(StateOwner.Global, "typedstate.ping", cancellationToken).ConfigureAwait(false);
    }
}
