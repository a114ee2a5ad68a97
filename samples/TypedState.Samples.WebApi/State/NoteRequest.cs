namespace TypedState.Samples.WebApi.State;

/// <summary>The body of <c>POST /guilds/{guildId}/agents/{agentId}/notes</c>.</summary>
/// <param name="Text">The note to add.</param>
public sealed record NoteRequest(string Text);
