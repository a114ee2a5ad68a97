namespace TypedState.AgentFramework;

/// <summary>
/// The record holding a framework payload: its JSON as an opaque string (no driver can reorder the keys inside a
/// string, as PostgreSQL's jsonb does with objects), split into <see cref="Parts"/> records when it is large.
/// </summary>
internal sealed class PayloadHead
{
    /// <summary>Changes on every write; each part carries it, so a reader detects parts of another write.</summary>
    public string Etag { get; set; } = string.Empty;

    /// <summary>How many records the payload spans, this one included.</summary>
    public int Parts { get; set; } = 1;

    /// <summary>The payload's total length in UTF-16 code units, checked when the parts are joined.</summary>
    public int Length { get; set; }

    /// <summary>The first part of the payload's JSON text.</summary>
    public string Data { get; set; } = string.Empty;
}
