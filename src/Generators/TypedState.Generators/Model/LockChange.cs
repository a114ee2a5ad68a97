namespace TypedState.Generators.Model;

/// <summary>What a schema lock check found for one state type or member path.</summary>
internal enum LockChange
{
    /// <summary>A stored member path is gone (breaking).</summary>
    Removed,

    /// <summary>A stored member is stored under another name, in the same object (breaking).</summary>
    Renamed,

    /// <summary>A stored member moved to another object (breaking).</summary>
    Renested,

    /// <summary>A stored member is stored as another kind (breaking).</summary>
    Retyped,

    /// <summary>A member a document must have was added, or an existing one made required: stored records lack it (breaking).</summary>
    RequiredAdded,

    /// <summary>The version is lower than the lock file's (breaking).</summary>
    VersionLowered,

    /// <summary>A member was added, or its kind widened: stored records still read; the lock file is out of date.</summary>
    Added,

    /// <summary>A state type the lock file does not list yet.</summary>
    NewType,

    /// <summary>The version was raised (with its migration steps): the lock entry at the old version is to be replaced.</summary>
    VersionRaised,

    /// <summary>A lock entry no state type of the compilation has (removed, or its key or scope changed).</summary>
    NoType,

    /// <summary>The lock file cannot be read.</summary>
    Unreadable,
}
