namespace TypedState;

/// <summary>A serialized value exceeded <see cref="StateManagerOptions.MaxValueBytes"/>; nothing was written.</summary>
public sealed class StateValueTooLargeException : StateException
{
    /// <summary>Creates the exception.</summary>
    public StateValueTooLargeException(StateOwner owner, string key, long size, long limit)
        : base($"The serialized value is {size} bytes; the limit is {limit} bytes.", owner, key)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The serialized size in bytes.</summary>
    public long Size { get; }

    /// <summary>The configured limit in bytes.</summary>
    public long Limit { get; }
}
