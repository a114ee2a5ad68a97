namespace TypedState;

/// <summary>A record the migrator would rewrite: its stored document and the document it would write.</summary>
public sealed class StateMigrationPlanSample
{
    internal StateMigrationPlanSample(StateOwner owner, string key, ReadOnlyMemory<byte> before, ReadOnlyMemory<byte> after)
    {
        Owner = owner;
        Key = key;
        Before = before;
        After = after;
    }

    /// <summary>The record's owner.</summary>
    public StateOwner Owner { get; }

    /// <summary>The record's key.</summary>
    public string Key { get; }

    /// <summary>The stored document (UTF-8 JSON).</summary>
    public ReadOnlyMemory<byte> Before { get; }

    /// <summary>The document the migrator would write (UTF-8 JSON, at the code's version).</summary>
    public ReadOnlyMemory<byte> After { get; }
}
