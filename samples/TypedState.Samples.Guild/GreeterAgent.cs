using TypedState.Guilds;

namespace TypedState.Samples.Guild;

/// <summary>Greets users and counts each user's visits in its own agent state.</summary>
public sealed class GreeterAgent : IMessageHandler<Visit>
{
    /// <inheritdoc />
    public async ValueTask HandleAsync(Visit message, AgentContext context, CancellationToken cancellationToken)
    {
        // Agent scope: only this greeter's own records. Another agent asking for "visits/…" sees its own, not these.
        var visits = await context.State.UpdateAsync<int>(Scope.Agent, $"visits/{message.User}", count => count + 1, cancellationToken: cancellationToken);

        // Global scope: one application-wide setting shared by every guild.
        var greeting = await context.State.GetValueOrDefaultAsync(Scope.Global, "settings/greeting", "Hello", cancellationToken);

        // Guild scope: what this guild knows, shared by its agents.
        var known = await context.State.GetAsync<string>(Scope.Guild, $"kb/people/{message.User}", cancellationToken);

        var about = known.Exists ? $" (the guild knows: {known.Value})" : string.Empty;
        Console.WriteLine($"  {context.AgentId}: {greeting}, {message.User}! Visit #{visits.Value}{about}");
    }
}
