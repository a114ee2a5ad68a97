using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.NonAtomicWritesAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>Rule 4, third part (TSTATE2006): one handler writing two scopes with separate, non-atomic writes.</summary>
public sealed class NonAtomicWritesAnalyzerTests
{
    private static string InHandler(string statements) => $$"""
        public sealed record Fact(string Topic);

        [AgentState] public partial class Ledger { public int Filed { get; set; } }
        [GuildState] public partial class Library { public int Facts { get; set; } }

        public sealed class Librarian(IStateManager manager) : IMessageHandler<Fact>
        {
            public async ValueTask HandleAsync(Fact message, AgentContext context, CancellationToken cancellationToken)
            {
                {{statements}}
            }
        }
        """;

    [Fact]
    public Task Agent_and_guild_writes_through_generated_accessors_are_reported_at_the_second() =>
        Verify.VerifyAsync(InHandler("""
            await Ledger.UpdateAsync(context, l => l.Filed++);
            await {|TSTATE2006:Library.UpdateAsync(manager, context.GuildId, l => l.Facts++)|};
            """));

    [Fact]
    public Task The_message_names_both_scopes_and_keys() =>
        Verify.VerifyAsync(
            InHandler("""
                await context.State.SetAsync(Scope.Agent, "filed", 1);
                await {|#0:manager.SetAsync(StateOwner.Global, "facts", 2)|};
                """),
            Verify.Diagnostic("TSTATE2006").WithLocation(0).WithArguments("Librarian", "agent", "filed", "global", "facts"));

    [Fact]
    public Task Two_tracked_saves_of_different_scopes_are_reported() =>
        Verify.VerifyAsync(InHandler("""
            var ledger = await Ledger.LoadAsync(context, cancellationToken);
            var library = await Library.LoadAsync(context.State, cancellationToken);
            ledger.Value.Filed++;
            library.Value.Facts++;
            await ledger.SaveAsync(cancellationToken);
            await {|TSTATE2006:library.SaveAsync(cancellationToken)|};
            """));

    [Fact]
    public Task A_delete_in_one_scope_and_a_write_in_another_are_reported_once() =>
        Verify.VerifyAsync(InHandler("""
            await context.State.DeleteAsync(Scope.Guild, "draft");
            await {|TSTATE2006:context.State.SetAsync(Scope.Agent, "filed", 1)|};
            await context.State.SetAsync(Scope.Global, "total", 1);
            """));

    [Fact]
    public Task Both_scopes_in_one_transaction_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            await using var tx = await context.State.BeginTransactionAsync(cancellationToken);
            var ledger = await Ledger.LoadAsync(tx, cancellationToken);
            var library = await Library.LoadAsync(tx, cancellationToken);
            await ledger.SaveAsync(cancellationToken);
            await library.SaveAsync(cancellationToken);
            await tx.SetAsync(Scope.Global, "total", 1);
            await tx.CommitAsync(cancellationToken);
            """));

    [Fact]
    public Task Both_scopes_in_RunTransactionAsync_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            await manager.RunTransactionAsync(async (tx, ct) =>
            {
                await tx.SetAsync(StateOwner.Agent(context.GuildId, context.AgentId), "filed", 1, cancellationToken: ct);
                await tx.SetAsync(StateOwner.Guild(context.GuildId), "facts", 1, cancellationToken: ct);
            });
            """));

    [Fact]
    public Task Several_writes_to_one_scope_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            await context.State.SetAsync(Scope.Agent, "a", 1);
            await context.State.SetAsync(Scope.Agent, "b", 2);
            await Ledger.UpdateAsync(context, l => l.Filed++);
            """));

    [Fact]
    public Task A_write_in_one_scope_and_reads_of_others_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            var library = await Library.LoadAsync(context.State, cancellationToken);
            var total = await context.State.GetAsync<int>(Scope.Global, "total");
            await Ledger.UpdateAsync(context, l => l.Filed += library.Value.Facts + total.Value);
            """));

    [Fact]
    public Task Writes_whose_scope_is_not_known_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            var scope = message.Topic.Length > 3 ? Scope.Guild : Scope.Agent;
            await context.State.SetAsync(Scope.Agent, "a", 1);
            await context.State.SetAsync(scope, "b", 2);
            """));

    [Fact]
    public Task Two_scopes_written_outside_a_message_handler_are_silent() =>
        Verify.VerifyAsync("""
            public sealed class Seeder(IStateManager manager)
            {
                public async Task SeedAsync(string guildId)
                {
                    await manager.SetAsync(StateOwner.Guild(guildId), "facts", 0);
                    await manager.SetAsync(StateOwner.Global, "guilds", 1);
                }
            }
            """);
}
