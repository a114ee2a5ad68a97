namespace TypedState.TestWorker;

/// <summary>The owners and key layout shared by the worker and the tests that check its output.</summary>
internal static class WorkerState
{
    public const string GuildId = "guild-1";

    public const string AgentId = "agent-1";

    public const string LastKey = "last";

    public const string TransactionPrefix = "tx/";

    public static StateOwner Agent => StateOwner.Agent(GuildId, AgentId);

    public static StateOwner Guild => StateOwner.Guild(GuildId);
}
