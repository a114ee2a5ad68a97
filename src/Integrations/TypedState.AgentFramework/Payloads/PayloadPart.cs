namespace TypedState.AgentFramework;

/// <summary>A continuation record of a payload larger than one record.</summary>
internal sealed class PayloadPart
{
    /// <summary>The <see cref="PayloadHead.Etag"/> of the write this part belongs to.</summary>
    public string Etag { get; set; } = string.Empty;

    /// <summary>This part of the payload's JSON text.</summary>
    public string Data { get; set; } = string.Empty;
}
