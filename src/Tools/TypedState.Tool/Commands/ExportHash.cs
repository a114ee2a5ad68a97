using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TypedState.Tool.Commands;

/// <summary>
/// The content hash of a store's records: SHA-256 over each record's owner, key and value (each length-prefixed, so no
/// two different record sets hash alike), in the order the store lists them, which every driver shares. A JSON value
/// counts in canonical form (<see cref="CanonicalJson"/>): PostgreSQL keeps values as <c>jsonb</c>, which reorders
/// properties and drops whitespace, and the same content must hash alike on every driver. Versions are not part of
/// it: a store imported elsewhere holds the same content under versions of its own.
/// </summary>
internal sealed class ExportHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _finished;

    public void Add(StateOwner owner, string key, ReadOnlySpan<byte> value)
    {
        Field(Encoding.UTF8.GetBytes(owner.ToString()));
        Field(Encoding.UTF8.GetBytes(key));
        Field(CanonicalJson.TryWrite(value) is { } canonical ? canonical : value);
    }

    /// <summary>The hash as lowercase hex; the same string on every later call.</summary>
    public string Finish() => _finished ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    private void Field(ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _hash.AppendData(length);
        _hash.AppendData(bytes);
    }
}
