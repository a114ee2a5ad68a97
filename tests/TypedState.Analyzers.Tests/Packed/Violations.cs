// One deliberate violation of each analyzer rule, compiled by PackedPackageTests against the packed TypedState package.
#pragma warning disable CS1998
using TypedState;
using TypedState.Guilds;

namespace Violations;

public sealed record Ping(string From);

[AgentState] public partial class Notes { public int Count { get; set; } }

[GuildState] public partial class Board { public int Pins { get; set; } }

public sealed class Snoop(IStateManager manager) : IMessageHandler<Ping>
{
    public async ValueTask HandleAsync(Ping ping, AgentContext context, CancellationToken ct) =>
        await manager.SetAsync(StateOwner.Agent(context.GuildId, ping.From), "seen", true); // TSTATE2001
}

public sealed class Pinner(IStateManager manager) : IMessageHandler<Ping>
{
    public async ValueTask HandleAsync(Ping ping, AgentContext context, CancellationToken ct) =>
        await Board.SaveAsync(manager, context.GuildId, new Board()); // TSTATE2003
}

[WritesState(Scope.Guild)]
public sealed class Scribe(IStateManager manager) : IMessageHandler<Ping>
{
    public async ValueTask HandleAsync(Ping ping, AgentContext context, CancellationToken ct)
    {
        await Notes.UpdateAsync(context, n => n.Count++);
        await Board.SaveAsync(manager, context.GuildId, new Board()); // TSTATE2006
    }
}

public sealed class Worker(IStateManager manager)
{
    public async Task MisuseAsync()
    {
        await manager.SetAsync(StateOwner.Guild("shop"), "Notes", new Notes()); // TSTATE2002
        await manager.SetAsync(StateOwner.Global, "", 1); // TSTATE2007
        _ = manager.ListAsync<int>(StateOwner.Global, "visits/*"); // TSTATE2008
    }

    public async Task TransactionAsync()
    {
        await using var tx = await manager.BeginTransactionAsync();
        await manager.SetAsync(StateOwner.Global, "a", 1); // TSTATE2004
        await tx.CommitAsync();
    }

    public async Task ForgetAsync()
    {
        var notes = await Notes.LoadAsync(manager.ForAgent("shop", "clerk")); // TSTATE2009
        notes.Value.Count++;
    }

    public async Task LockAsync()
    {
        await using var held = await manager.AcquireLockAsync(StateOwner.Global, "stock", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        await manager.SetAsync(StateOwner.Global, "stock", 1); // TSTATE2005
    }
}
