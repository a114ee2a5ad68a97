using TypedState.Guilds;
using TypedState.Samples.Guild.State;

namespace TypedState.Samples.Guild;

/// <summary>Files facts in the guild's shared knowledge base and counts its own work, atomically.</summary>
[WritesState(typeof(KnowledgeBase))]
public sealed class LibrarianAgent : IMessageHandler<Fact>
{
    /// <inheritdoc />
    public async ValueTask HandleAsync(Fact message, AgentContext context, CancellationToken cancellationToken)
    {
        // One transaction across two scopes: the guild's knowledge and the librarian's own ledger change together or not at all.
        await using var transaction = await context.State.BeginTransactionAsync(cancellationToken);
        var knowledge = await KnowledgeBase.LoadAsync(transaction, cancellationToken);
        var ledger = await LibrarianLedger.LoadAsync(transaction, cancellationToken);
        var existed = knowledge.Value.People.ContainsKey(message.Topic);
        knowledge.Value.People[message.Topic] = message.Text;
        ledger.Value.FactsFiled++;
        await knowledge.SaveAsync(cancellationToken);
        await ledger.SaveAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var verb = existed ? "updated" : "filed";
        Console.WriteLine($"  {context.AgentId}: {verb} a fact about {message.Topic} (facts filed by me: {ledger.Value.FactsFiled})");
    }
}
