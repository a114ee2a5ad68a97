namespace TypedState.AgentFramework;

/// <summary>A payload read back: its JSON text, exactly as written, and the etag of the write.</summary>
internal readonly record struct StoredPayload(string Text, string Etag);
