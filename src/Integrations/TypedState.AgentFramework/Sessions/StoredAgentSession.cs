using Microsoft.Agents.AI;

namespace TypedState.AgentFramework;

/// <summary>A session an agent has in the store, as listed by <see cref="TypedStateAgentSessionStore.ListSessionsAsync"/>.</summary>
/// <param name="Key">The key the session was saved under.</param>
/// <param name="SavedAt">When it was last saved.</param>
public sealed record StoredAgentSession(AgentSessionStoreKey Key, DateTimeOffset SavedAt);
