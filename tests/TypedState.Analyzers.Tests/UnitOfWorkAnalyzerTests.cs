using TypedState.Analyzers.CodeFixes;
using static TypedState.Analyzers.Tests.Infrastructure.Sources;
using Fix = TypedState.Analyzers.Tests.Infrastructure.CodeFixTest<TypedState.Analyzers.UnitOfWorkAnalyzer, TypedState.Analyzers.CodeFixes.RouteWriteCodeFixProvider>;
using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.UnitOfWorkAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// Rule 4: writes through the manager while a transaction is open (TSTATE2004) or while a lock on the key is held
/// (TSTATE2005), and the fix that routes them through <c>tx</c> / <c>held.State</c> (<see cref="RouteWriteCodeFixProvider"/>).
/// </summary>
public sealed class UnitOfWorkAnalyzerTests
{
    private const string StateTypes = """

        [AgentState] public partial class Notes { public int Count { get; set; } }
        [GuildState] public partial class Board { public int Count { get; set; } }
        """;

    private static string Code(string statements) => InMethod(statements) + StateTypes;

    private static string InHandler(string statements) => $$"""
        public sealed record Ping;

        public sealed class Scribe : IMessageHandler<Ping>
        {
            public async ValueTask HandleAsync(Ping message, AgentContext context, CancellationToken cancellationToken)
            {
                {{statements}}
            }
        }
        """ + StateTypes;

    [Fact]
    public Task A_manager_write_while_a_transaction_is_open_is_routed_through_it() =>
        Fix.VerifyAsync(
            Code("""
                await using var work = await manager.BeginTransactionAsync();
                await work.SetAsync(owner, "a", 1);
                await {|TSTATE2004:manager|}.SetAsync(owner, "b", 2);
                await work.CommitAsync();
                """),
            Code("""
                await using var work = await manager.BeginTransactionAsync();
                await work.SetAsync(owner, "a", 1);
                await work.SetAsync(owner, "b", 2);
                await work.CommitAsync();
                """));

    [Fact]
    public Task Every_bypass_of_an_agent_transaction_in_a_handler_is_fixed_at_once() =>
        Fix.VerifyAsync(
            InHandler("""
                await using var tx = await context.State.BeginTransactionAsync(cancellationToken);
                await {|TSTATE2004:context.State|}.SetAsync(Scope.Agent, "seen", true);
                await Notes.UpdateAsync({|TSTATE2004:context|}, n => n.Count++);
                await Notes.SaveAsync({|TSTATE2004:context.State|}, new Notes());
                await tx.CommitAsync(cancellationToken);
                """),
            InHandler("""
                await using var tx = await context.State.BeginTransactionAsync(cancellationToken);
                await tx.SetAsync(Scope.Agent, "seen", true);
                await Notes.UpdateAsync(tx, n => n.Count++);
                await Notes.SaveAsync(tx, new Notes());
                await tx.CommitAsync(cancellationToken);
                """));

    [Fact]
    public Task A_manager_write_inside_RunTransactionAsync_is_routed_through_the_lambdas_transaction() =>
        Fix.VerifyAsync(
            Code("""
                await manager.RunTransactionAsync(async (t, ct) =>
                {
                    await t.SetAsync(owner, "a", 1, cancellationToken: ct);
                    await {|TSTATE2004:manager|}.DeleteAsync(owner, "b", cancellationToken: ct);
                });
                """),
            Code("""
                await manager.RunTransactionAsync(async (t, ct) =>
                {
                    await t.SetAsync(owner, "a", 1, cancellationToken: ct);
                    await t.DeleteAsync(owner, "b", cancellationToken: ct);
                });
                """));

    [Fact]
    public Task A_write_inside_a_using_statements_transaction_and_a_generated_store_accessor_are_routed() =>
        Fix.VerifyAsync(
            Code("""
                await using (var work = await manager.BeginTransactionAsync())
                {
                    await {|TSTATE2004:manager|}.SetAsync(owner, "a", 1);
                    await Board.SaveAsync({|TSTATE2004:manager|}, guildId, new Board());
                    await work.CommitAsync();
                }
                """),
            Code("""
                await using (var work = await manager.BeginTransactionAsync())
                {
                    await work.SetAsync(owner, "a", 1);
                    await Board.SaveAsync(work, guildId, new Board());
                    await work.CommitAsync();
                }
                """));

    [Fact]
    public Task A_manager_write_during_an_agent_transaction_is_reported_without_a_fix_and_named_in_the_message() =>
        Verify.VerifyAsync(
            Code("""
                await using var work = await state.BeginTransactionAsync();
                await {|#0:manager|}.SetAsync(owner, "total", 1);
                await work.CommitAsync();
                """),
            Verify.Diagnostic("TSTATE2004").WithLocation(0).WithArguments("total", "manager", "work"));

    [Fact]
    public Task Writes_before_the_transaction_after_its_commit_or_after_its_block_are_silent() =>
        Verify.VerifyAsync(Code("""
            await manager.SetAsync(owner, "before", 1);
            await using (var work = await manager.BeginTransactionAsync())
            {
                await work.SetAsync(owner, "inside", 1);
                await work.CommitAsync();
                await manager.SetAsync(owner, "after-commit", 1);
            }

            await manager.SetAsync(owner, "after-block", 1);
            """));

    [Fact]
    public Task Reads_through_the_manager_and_tracked_state_loaded_from_the_transaction_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            await using var tx = await context.State.BeginTransactionAsync(cancellationToken);
            var seen = await context.State.GetAsync<bool>(Scope.Agent, "seen");
            var notes = await Notes.LoadAsync(tx, cancellationToken);
            notes.Value.Count++;
            await notes.SaveAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            """));

    [Fact]
    public Task A_rolled_back_transaction_no_longer_covers_later_writes() =>
        Verify.VerifyAsync(Code("""
            await using var work = await manager.BeginTransactionAsync();
            await work.RollbackAsync();
            await manager.SetAsync(owner, "a", 1);
            """));

    [Fact]
    public Task Writes_to_the_locked_key_and_under_a_whole_owner_lock_are_routed_through_the_lock() =>
        Fix.VerifyAsync(
            Code("""
                var shop = StateOwner.Guild("shop");
                await using var held = await manager.AcquireLockAsync(StateOwner.Guild("shop"), "stock", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
                await {|TSTATE2005:manager|}.SetAsync(StateOwner.Guild("shop"), "stock", 1);
                await using var all = await manager.AcquireLockAsync(shop, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
                await {|TSTATE2005:manager|}.DeleteAsync(shop, "anything");
                """),
            Code("""
                var shop = StateOwner.Guild("shop");
                await using var held = await manager.AcquireLockAsync(StateOwner.Guild("shop"), "stock", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
                await held.State.SetAsync(StateOwner.Guild("shop"), "stock", 1);
                await using var all = await manager.AcquireLockAsync(shop, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
                await all.State.DeleteAsync(shop, "anything");
                """));

    [Fact]
    public Task A_write_under_a_lock_that_may_not_have_been_taken_is_reported_without_a_fix() =>
        Verify.VerifyAsync(
            Code("""
                await using var held = await manager.TryAcquireLockAsync(owner, "stock", TimeSpan.FromSeconds(10));
                await {|#0:manager|}.SetAsync(owner, "stock", 1);
                """),
            Verify.Diagnostic("TSTATE2005").WithLocation(0).WithArguments("stock", "held", "manager"));

    [Fact]
    public Task Writes_through_the_lock_to_other_keys_or_owners_and_after_release_are_silent() =>
        Verify.VerifyAsync(Code("""
            var held = await manager.AcquireLockAsync(StateOwner.Guild("shop"), "stock", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            await held.State.SetAsync(StateOwner.Guild("shop"), "stock", 1);
            await manager.SetAsync(StateOwner.Guild("shop"), "prices", 1);
            await manager.SetAsync(StateOwner.Guild("other-shop"), "stock", 1);
            await held.ReleaseAsync();
            await manager.SetAsync(StateOwner.Guild("shop"), "stock", 2);
            """));

    [Fact]
    public Task A_lock_in_another_method_does_not_cover_this_ones_writes() =>
        Verify.VerifyAsync(Code(
            """await manager.SetAsync(owner, "stock", 1);""")
            .Replace("public class Worker\n{", """
                public class Worker
                {
                    public async Task LockAsync(IStateManager manager, StateOwner owner) =>
                        await (await manager.AcquireLockAsync(owner, "stock", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))).ReleaseAsync();
                """, StringComparison.Ordinal));

    [Fact]
    public Task A_transaction_lambda_does_not_cover_the_code_after_it() =>
        Verify.VerifyAsync(Code("""
            await manager.RunTransactionAsync(async (t, ct) => await t.SetAsync(owner, "a", 1, cancellationToken: ct));
            await manager.SetAsync(owner, "b", 2);
            """));

    [Fact]
    public Task A_fenced_transaction_under_a_held_lock_is_silent() =>
        Verify.VerifyAsync(Code("""
            await using var held = await manager.AcquireLockAsync(owner, "stock", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
            await using var fenced = await held.State.BeginTransactionAsync();
            await fenced.SetAsync(owner, "stock", 1);
            await fenced.CommitAsync();
            """));
}
