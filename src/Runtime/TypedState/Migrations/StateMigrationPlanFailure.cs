namespace TypedState;

/// <summary>A record that would stop the migrator, and why.</summary>
public sealed class StateMigrationPlanFailure
{
    internal StateMigrationPlanFailure(StateOwner owner, string key, int? storedVersion, Exception error)
    {
        Owner = owner;
        Key = key;
        StoredVersion = storedVersion;
        Error = error;
    }

    /// <summary>The record's owner.</summary>
    public StateOwner Owner { get; }

    /// <summary>The record's key.</summary>
    public string Key { get; }

    /// <summary>The stored schema version; <see langword="null"/> when it cannot be read.</summary>
    public int? StoredVersion { get; }

    /// <summary>
    /// What the migrator would throw for the record: a <see cref="StateSchemaTooNewException"/>,
    /// <see cref="StateMigrationException"/>, <see cref="CorruptStateException"/> or
    /// <see cref="StateValueTooLargeException"/> naming the type, owner and key.
    /// </summary>
    public Exception Error { get; }

    /// <summary>Whether the record was written by a newer build (the migrator never downgrades).</summary>
    public bool IsNewerThanCode => Error is StateSchemaTooNewException;

    /// <summary>The error's message.</summary>
    public string Reason => Error.Message;
}
