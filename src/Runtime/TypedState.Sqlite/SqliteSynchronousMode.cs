namespace TypedState.Sqlite;

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels, which trade durability on power loss for write speed.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>No syncs: a crash of the operating system may lose or corrupt recent commits.</summary>
    Off = 0,

    /// <summary>WAL syncs at checkpoints only: commits survive a process crash, the last ones may be lost on power loss.</summary>
    Normal = 1,

    /// <summary>Every commit is synced to disk before it returns (the default).</summary>
    Full = 2,

    /// <summary>Like <see cref="Full"/>, also syncing the directory.</summary>
    Extra = 3,
}
