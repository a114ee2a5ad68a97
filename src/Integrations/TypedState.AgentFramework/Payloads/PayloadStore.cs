namespace TypedState.AgentFramework;

/// <summary>
/// Reads and writes framework payloads (JSON text) byte-exact: the text is a string value of a TypedState record,
/// split across records written in one transaction when it outgrows one record.
/// </summary>
internal sealed class PayloadStore
{
    private const string KeyRoot = "maf/";
    private const string PartsRoot = "maf/parts/";
    private const int MaxReadAttempts = 16;

    private readonly int _chunkBytes;

    public PayloadStore(int chunkBytes) => _chunkBytes = chunkBytes;

    /// <summary>
    /// The part size for a store: the requested size, at most the store's value limit less the record's envelope.
    /// </summary>
    public static int ChunkBytesFor(IStateManager state, int requested)
    {
        var maxValueBytes = state is StateManager manager ? manager.Options.MaxValueBytes : 1024 * 1024;
        var chunk = Math.Min(requested, maxValueBytes - PayloadChunks.EnvelopeBytes);
        if (chunk < 1024)
        {
            throw new ArgumentOutOfRangeException(
                nameof(requested),
                requested,
                $"A payload part must hold at least 1024 bytes; the store's MaxValueBytes ({maxValueBytes}) leaves {chunk}.");
        }

        return chunk;
    }

    /// <summary>The key of part <paramref name="index"/> (1-based after the head) of the payload at <paramref name="key"/>.</summary>
    public static string PartKey(string key, int index) =>
        string.Concat(PartsRoot, key.AsSpan(KeyRoot.Length), "/", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The prefix under which the parts of every payload whose key starts with <paramref name="keyPrefix"/> are.</summary>
    public static string PartsPrefix(string keyPrefix) => string.Concat(PartsRoot, keyPrefix.AsSpan(KeyRoot.Length));

    /// <summary>A new etag for a write.</summary>
    public static string NewEtag() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Buffers the writes of <paramref name="payload"/> at <paramref name="key"/> in <paramref name="transaction"/>,
    /// removing parts of the previous value (<paramref name="previous"/>) the new one no longer needs.
    /// </summary>
    public async ValueTask WriteAsync(
        IStateTransaction transaction, StateOwner owner, string key, string payload, string etag, PayloadHead? previous, CancellationToken cancellationToken)
    {
        var parts = PayloadChunks.Split(payload, _chunkBytes - (2 * etag.Length), _chunkBytes);
        var head = new PayloadHead { Etag = etag, Parts = parts.Count, Length = payload.Length, Data = parts[0] };
        await transaction.SetAsync(owner, key, head, StoredJsonContext.Default.PayloadHead, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < parts.Count; i++)
        {
            var part = new PayloadPart { Etag = etag, Data = parts[i] };
            await transaction.SetAsync(owner, PartKey(key, i), part, StoredJsonContext.Default.PayloadPart, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        for (var i = parts.Count; i < (previous?.Parts ?? 0); i++)
        {
            await transaction.DeleteAsync(owner, PartKey(key, i), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Buffers the deletion of the payload at <paramref name="key"/> and its parts.</summary>
    public static async ValueTask DeleteAsync(IStateTransaction transaction, StateOwner owner, string key, PayloadHead head, CancellationToken cancellationToken)
    {
        await transaction.DeleteAsync(owner, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < head.Parts; i++)
        {
            await transaction.DeleteAsync(owner, PartKey(key, i), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the payload at <paramref name="key"/>: its JSON text and etag, or null when absent.</summary>
    public static async ValueTask<StoredPayload?> ReadAsync(IStateOperations state, StateOwner owner, string key, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var entry = await state.GetAsync(owner, key, StoredJsonContext.Default.PayloadHead, cancellationToken).ConfigureAwait(false);
            if (!entry.TryGetValue(out var head))
            {
                return null;
            }

            var text = await JoinAsync(state, owner, key, head, cancellationToken).ConfigureAwait(false);
            if (text is not null)
            {
                return new StoredPayload(text, head.Etag);
            }

            if (attempt == MaxReadAttempts)
            {
                throw new StateException(
                    $"The parts of the payload kept changing while it was read ({MaxReadAttempts} attempts): a writer rewrites it continuously.",
                    owner,
                    key);
            }
        }
    }

    /// <summary>The whole text of <paramref name="head"/>'s payload, or null when a part belongs to another write.</summary>
    public static async ValueTask<string?> JoinAsync(IStateOperations state, StateOwner owner, string key, PayloadHead head, CancellationToken cancellationToken)
    {
        if (head.Parts <= 1)
        {
            return head.Data;
        }

        var builder = new System.Text.StringBuilder(head.Length);
        builder.Append(head.Data);
        for (var i = 1; i < head.Parts; i++)
        {
            var part = await state.GetAsync(owner, PartKey(key, i), StoredJsonContext.Default.PayloadPart, cancellationToken).ConfigureAwait(false);
            if (!part.TryGetValue(out var value) || value.Etag != head.Etag)
            {
                return null;
            }

            builder.Append(value.Data);
        }

        if (builder.Length != head.Length)
        {
            throw new StateException($"The payload's parts join to {builder.Length} characters; its head records {head.Length}.", owner, key);
        }

        return builder.ToString();
    }
}
