using static TypedState.Analyzers.Tests.Infrastructure.Sources;
using Fix = TypedState.Analyzers.Tests.Infrastructure.CodeFixTest<TypedState.Analyzers.ScopeMismatchAnalyzer, TypedState.Analyzers.CodeFixes.UseDeclaredScopeCodeFixProvider>;
using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.ScopeMismatchAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>Rule 2 (TSTATE2002): a state type used through the untyped API with an owner or scope other than its own.</summary>
public sealed class ScopeMismatchAnalyzerTests
{
    private const string StateTypes = """
        [AgentState] public partial class Notes { public int Count { get; set; } }
        [GuildState] public partial class Board { public int Count { get; set; } }
        [GlobalState] public partial class Settings { public int Count { get; set; } }
        """;

    private static string Code(string statements) => InMethod(statements) + "\n" + StateTypes;

    [Fact]
    public Task Agent_state_written_through_a_guild_owner_is_reported() =>
        Verify.VerifyAsync(Code("""await manager.SetAsync({|TSTATE2002:StateOwner.Guild(guildId)|}, "Notes", new Notes());"""));

    [Fact]
    public Task Agent_state_read_through_the_global_owner_is_reported() =>
        Verify.VerifyAsync(Code("""await manager.GetAsync<Notes>({|TSTATE2002:StateOwner.Global|}, "Notes");"""));

    [Fact]
    public Task Guild_state_written_through_an_agent_owner_in_a_transaction_is_reported() =>
        Verify.VerifyAsync(Code("""await tx.SetAsync({|TSTATE2002:StateOwner.Agent(guildId, agentId)|}, "Board", new Board());"""));

    [Fact]
    public Task Global_state_updated_through_an_owner_held_in_a_local_is_reported_at_the_argument() =>
        Verify.VerifyAsync(Code("""
            var mine = StateOwner.Agent(guildId, agentId);
            await manager.UpdateAsync<Settings>({|TSTATE2002:mine|}, "Settings", s => s!);
            """));

    [Fact]
    public Task Agent_state_written_through_agent_bound_state_with_the_guild_scope_is_reported() =>
        Verify.VerifyAsync(Code("""await state.SetAsync({|TSTATE2002:Scope.Guild|}, "Notes", new Notes());"""));

    [Fact]
    public Task Guild_state_listed_with_the_agent_scope_is_reported() =>
        Verify.VerifyAsync(Code("""_ = state.ListAsync<Board>({|TSTATE2002:Scope.Agent|}, "");"""));

    [Fact]
    public Task The_message_names_the_type_its_scope_and_the_owner_to_use() =>
        Verify.VerifyAsync(
            Code("""await manager.GetValueOrDefaultAsync({|#0:StateOwner.Global|}, "Board", new Board());"""),
            Verify.Diagnostic("TSTATE2002").WithLocation(0).WithArguments("Board", "guild", "read", "the global owner", "StateOwner.Guild(guildId)"));

    [Fact]
    public Task Each_state_type_through_an_owner_of_its_own_scope_is_silent() =>
        Verify.VerifyAsync(Code("""
            await manager.SetAsync(StateOwner.Agent(guildId, agentId), "Notes", new Notes());
            await manager.SetAsync(StateOwner.Guild(guildId), "Board", new Board());
            await manager.SetAsync(StateOwner.Global, "Settings", new Settings());
            """));

    [Fact]
    public Task Each_state_type_through_agent_bound_state_with_its_own_scope_is_silent() =>
        Verify.VerifyAsync(Code("""
            await state.SetAsync(Scope.Agent, "Notes", new Notes());
            await state.GetAsync<Board>(Scope.Guild, "Board");
            _ = state.ListAsync<Settings>(Scope.Global, "");
            """));

    [Fact]
    public Task Plain_values_go_through_any_owner_and_are_silent() =>
        Verify.VerifyAsync(Code("""
            await manager.SetAsync(StateOwner.Global, "count", 1);
            await state.SetAsync(Scope.Guild, "names", new List<string>());
            """));

    [Fact]
    public Task An_owner_whose_scope_is_not_known_at_compile_time_is_silent() =>
        Verify.VerifyAsync(Code("""
            await manager.SetAsync(owner, "Notes", new Notes());
            var scope = agentId.Length > 0 ? Scope.Agent : Scope.Guild;
            await state.SetAsync(scope, "Notes", new Notes());
            """));

    [Fact]
    public Task The_generated_accessors_are_silent() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            await notes.SaveAsync();
            await Board.SaveAsync(manager, guildId, new Board());
            await Settings.UpdateAsync(manager, s => s.Count++);
            """));

    [Fact]
    public Task A_delete_names_no_type_and_is_silent() =>
        Verify.VerifyAsync(Code("""await manager.DeleteAsync(StateOwner.Global, "Notes");"""));

    [Fact]
    public Task A_state_part_is_not_a_state_type_and_is_silent() =>
        Verify.VerifyAsync(Code("""await manager.SetAsync(StateOwner.Global, "entry", new Entry());""")
            + "\n[StatePart] public partial class Entry { public int Count { get; set; } }");

    [Fact]
    public Task Scope_constants_are_fixed_to_each_types_own_scope_as_written() =>
        Fix.VerifyAsync(
            Code("""
                await state.SetAsync({|TSTATE2002:Scope.Guild|}, "Notes", new Notes());
                _ = state.ListAsync<Board>({|TSTATE2002:TypedState.Scope.Agent|}, "");
                """),
            Code("""
                await state.SetAsync(Scope.Agent, "Notes", new Notes());
                _ = state.ListAsync<Board>(TypedState.Scope.Guild, "");
                """));
}
