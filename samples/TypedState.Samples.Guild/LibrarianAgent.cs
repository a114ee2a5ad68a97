using TypedState.Guilds;

namespace TypedState.Samples.Guild;

/// <summary>Files facts in the guild's shared knowledge base and counts its own work, atomically.</summary>
public sealed class LibrarianAgent : IMessageHandler<Fact>
{
    /// <inheritdoc />
    public async ValueTask HandleAsync(Fact message, AgentContext context, CancellationToken cancellationToken)
    {
        // One transaction across two scopes: the guild fact and the librarian's own counter change together or not at all.
        await using var transaction = await context.State.BeginTransactionAsync(cancellationToken);
        var filed = await transaction.GetValueOrDefaultAsync(Scope.Agent, "facts-filed", 0, cancellationToken);
        var existing = await transaction.GetAsync<string>(Scope.Guild, $"kb/people/{message.Topic}", cancellationToken);
        await transaction.SetAsync(Scope.Guild, $"kb/people/{message.Topic}", message.Text, cancellationToken: cancellationToken);
        await transaction.SetAsync(Scope.Agent, "facts-filed", filed + 1, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var verb = existing.Exists ? "updated" : "filed";
        Console.WriteLine($"  {context.AgentId}: {verb} a fact about {message.Topic} (facts filed by me: {filed + 1})");
    }
}
