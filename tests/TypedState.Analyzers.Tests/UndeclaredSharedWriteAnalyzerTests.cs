using Fix = TypedState.Analyzers.Tests.Infrastructure.CodeFixTest<TypedState.Analyzers.UndeclaredSharedWriteAnalyzer, TypedState.Analyzers.CodeFixes.AddWritesStateCodeFixProvider>;
using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.UndeclaredSharedWriteAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>Rule 3 (TSTATE2003): a handler writing guild or global state its agent does not declare with [WritesState], and the fix that declares it.</summary>
public sealed class UndeclaredSharedWriteAnalyzerTests
{
    private const string Types = """

        public sealed record Fact(string Topic);

        [AgentState] public partial class Ledger { public int Filed { get; set; } }
        [GuildState] public partial class Library { public int Facts { get; set; } }
        [GuildState] public partial class Board { public int Pins { get; set; } }
        [GlobalState] public partial class Settings { public int Runs { get; set; } }
        """;

    private static string Agent(string attributes, string statements) => $$"""
        {{attributes}}public sealed class Librarian(IStateManager manager) : IMessageHandler<Fact>
        {
            public async ValueTask HandleAsync(Fact message, AgentContext context, CancellationToken cancellationToken)
            {
                {{statements}}
            }
        }
        """ + Types;

    [Fact]
    public Task A_guild_state_type_written_by_an_undeclared_agent_is_declared_by_the_fix() =>
        Fix.VerifyAsync(
            "/// <summary>Files facts.</summary>\n" + Agent("", """{|TSTATE2003:Library.UpdateAsync(manager, context.GuildId, l => l.Facts++)|};"""),
            "/// <summary>Files facts.</summary>\n" + Agent("[WritesState(typeof(Library))]\n", """Library.UpdateAsync(manager, context.GuildId, l => l.Facts++);"""));

    [Fact]
    public Task A_plain_guild_value_is_declared_as_the_whole_scope() =>
        Fix.VerifyAsync(
            Agent("", """await {|TSTATE2003:context.State.SetAsync(Scope.Guild, "count", 1)|};"""),
            Agent("[WritesState(Scope.Guild)]\n", """await context.State.SetAsync(Scope.Guild, "count", 1);"""));

    [Fact]
    public Task Fix_all_adds_each_missing_declaration_once_after_the_existing_ones() =>
        Fix.VerifyAsync(
            Agent("[WritesState(typeof(Library))]\n", """
                await Library.UpdateAsync(manager, context.GuildId, l => l.Facts++);
                await {|TSTATE2003:manager.SetAsync(StateOwner.Global, "Settings", new Settings())|};
                await {|TSTATE2003:Board.SaveAsync(manager, context.GuildId, new Board())|};
                await {|TSTATE2003:Board.DeleteAsync(manager, context.GuildId)|};
                await {|TSTATE2003:manager.SetAsync(StateOwner.Global, "runs", 1)|};
                """),
            Agent("[WritesState(typeof(Library))]\n[WritesState(typeof(Settings))]\n[WritesState(typeof(Board))]\n[WritesState(Scope.Global)]\n", """
                await Library.UpdateAsync(manager, context.GuildId, l => l.Facts++);
                await manager.SetAsync(StateOwner.Global, "Settings", new Settings());
                await Board.SaveAsync(manager, context.GuildId, new Board());
                await Board.DeleteAsync(manager, context.GuildId);
                await manager.SetAsync(StateOwner.Global, "runs", 1);
                """));

    [Fact]
    public Task Saving_loaded_guild_state_is_a_write_and_the_message_names_agent_scope_key_and_declaration() =>
        Verify.VerifyAsync(
            Agent("", """
                var library = await Library.LoadAsync(context.State, cancellationToken);
                library.Value.Facts++;
                await {|#0:library.SaveAsync(cancellationToken)|};
                """),
            Verify.Diagnostic("TSTATE2003").WithLocation(0).WithArguments("Librarian", "guild", "Library", "typeof(Library)"));

    [Fact]
    public Task A_declared_type_does_not_cover_another_type_of_the_same_scope() =>
        Verify.VerifyAsync(Agent("[WritesState(typeof(Library))]\n", """await {|TSTATE2003:Board.SaveAsync(manager, context.GuildId, new Board())|};"""));

    [Fact]
    public Task Writes_of_declared_types_are_silent_through_every_api() =>
        Verify.VerifyAsync(Agent("[WritesState(typeof(Library))]\n", """
            await Library.UpdateAsync(manager, context.GuildId, l => l.Facts++);
            await context.State.SetAsync(Scope.Guild, "Library", new Library());
            var library = await Library.LoadAsync(context.State, cancellationToken);
            await library.SaveAsync(cancellationToken);
            """));

    [Fact]
    public Task A_declared_scope_covers_its_state_types_and_plain_values() =>
        Verify.VerifyAsync(Agent("[WritesState(Scope.Guild)]\n[WritesState(Scope.Global)]\n", """
            await Board.SaveAsync(manager, context.GuildId, new Board());
            await context.State.SetAsync(Scope.Guild, "count", 1);
            await Settings.UpdateAsync(manager, s => s.Runs++);
            """));

    [Fact]
    public Task A_declaration_on_a_base_class_counts() =>
        Verify.VerifyAsync("""
            [WritesState(Scope.Guild)]
            public abstract class GuildWriter { }

            public sealed class Pinner(IStateManager manager) : GuildWriter, IMessageHandler<Fact>
            {
                public async ValueTask HandleAsync(Fact message, AgentContext context, CancellationToken cancellationToken) =>
                    await Board.SaveAsync(manager, context.GuildId, new Board());
            }
            """ + Types);

    [Fact]
    public Task Agent_state_writes_and_shared_reads_need_no_declaration() =>
        Verify.VerifyAsync(Agent("", """
            await Ledger.UpdateAsync(context, l => l.Filed++);
            await context.State.SetAsync(Scope.Agent, "seen", true);
            var library = await Library.LoadAsync(context.State, cancellationToken);
            var runs = await manager.GetAsync<int>(StateOwner.Global, "runs");
            """));

    [Fact]
    public Task Shared_writes_outside_a_handler_are_silent() =>
        Verify.VerifyAsync("""
            public sealed class Seeder(IStateManager manager)
            {
                public async Task SeedAsync(string guildId) => await Board.SaveAsync(manager, guildId, new Board());
            }
            """ + Types);

    [Fact]
    public Task Shared_state_written_by_a_helper_the_handler_hands_its_context_is_reported() =>
        Verify.VerifyAsync("""
            #pragma warning disable CS1998
            public sealed class Librarian(IStateManager manager) : IMessageHandler<Fact>
            {
                public async ValueTask HandleAsync(Fact message, AgentContext context, CancellationToken cancellationToken) =>
                    await FileAsync(context);

                private async Task FileAsync(AgentContext context) =>
                    await {|TSTATE2003:Library.UpdateAsync(manager, context.GuildId, l => l.Facts++)|};
            }
            """ + Types);
}
