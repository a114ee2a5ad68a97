using TypedState.Guilds;
using TypedState.Samples.Guild.State;

namespace TypedState.Samples.Guild;

/// <summary>Greets users and remembers each visit in its own, typed agent state.</summary>
public sealed class GreeterAgent(TimeProvider clock) : IMessageHandler<Visit>
{
    /// <inheritdoc />
    public async ValueTask HandleAsync(Visit message, AgentContext context, CancellationToken cancellationToken)
    {
        // Agent scope: GreeterMemory is reachable only through this agent's own context.
        var visit = 0;
        await GreeterMemory.UpdateAsync(context, memory => visit = memory.RecordVisit(message.User, clock.GetUtcNow()), cancellationToken);

        // Global scope: one application-wide setting. Guild scope: what this guild knows, shared by its agents.
        var settings = await SampleSettings.LoadAsync(context.State, cancellationToken);
        var knowledge = await KnowledgeBase.LoadAsync(context.State, cancellationToken);

        var about = knowledge.Value.People.TryGetValue(message.User, out var fact) ? $" (the guild knows: {fact})" : string.Empty;
        Console.WriteLine($"  {context.AgentId}: {settings.Value.Greeting}, {message.User}! Visit #{visit}{about}");
    }
}
