namespace TypedState;

/// <summary>What the startup migrator does with a record it cannot upgrade (<see cref="StateMigrationOptions.OnFailure"/>).</summary>
public enum StateMigrationFailureAction
{
    /// <summary>Stop the run with the record's error; the record and the rest of its batch stay unchanged (the default).</summary>
    Stop,

    /// <summary>
    /// Move the record into the quarantine (<see cref="StateQuarantine"/>) with the error as its reason, in the same
    /// atomic batch that upgrades the others, and go on. Records written by a newer build are never quarantined: they
    /// still stop the run.
    /// </summary>
    Quarantine,
}
