namespace TypedState.Tool;

/// <summary>The exit codes scripts can rely on (documented in docs/tool.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command line or its values are wrong (unknown option, bad key, missing file).</summary>
    public const int Usage = 1;

    /// <summary>The store cannot be reached or is not configured (no driver, server down, bad connection string).</summary>
    public const int StoreUnavailable = 2;

    /// <summary>What the command names does not exist (record, guild timeline).</summary>
    public const int NotFound = 3;

    /// <summary>The store refused the operation (paused guild, fork onto an existing guild, pruned sequence, conflict).</summary>
    public const int Refused = 4;

    /// <summary>A record cannot be read (corrupt bytes, a schema newer than the code).</summary>
    public const int DataError = 5;

    /// <summary>Anything else: a defect of the tool; the message says what happened.</summary>
    public const int Internal = 70;
}
