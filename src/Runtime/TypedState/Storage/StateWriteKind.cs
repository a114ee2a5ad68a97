namespace TypedState.Storage;

/// <summary>What one entry of a batch does. A driver refuses any other value (see <see cref="StateWrite.ThrowIfUnknownKind"/>).</summary>
public enum StateWriteKind
{
    /// <summary>Store the value, creating the record or replacing it.</summary>
    Set,

    /// <summary>Delete the record (a no-op when it is absent and no version is expected).</summary>
    Delete,

    /// <summary>Write nothing; only the expected-version condition is checked (used for a transaction's reads).</summary>
    Check,
}
