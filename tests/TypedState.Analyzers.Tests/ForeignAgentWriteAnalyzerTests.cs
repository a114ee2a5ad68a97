using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.ForeignAgentWriteAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>Rule 1 (TSTATE2001): a handler writing agent state of an agent other than its own.</summary>
public sealed class ForeignAgentWriteAnalyzerTests
{
    private static string InHandler(string statements) => $$"""
        #pragma warning disable CS1998, CS0649
        public sealed record Ping(string Target);

        [AgentState] public partial class Notes { public int Count { get; set; } }

        public sealed class Greeter(IStateManager manager) : IMessageHandler<Ping>
        {
            private AgentContext _last = null!;

            public async ValueTask HandleAsync(Ping message, AgentContext context, CancellationToken cancellationToken)
            {
                {{statements}}
            }
        }
        """;

    [Fact]
    public Task An_owner_built_from_the_message_is_reported() =>
        Verify.VerifyAsync(InHandler("""await manager.SetAsync({|TSTATE2001:StateOwner.Agent(context.GuildId, message.Target)|}, "notes", 1);"""));

    [Fact]
    public Task The_message_names_the_handler_the_key_and_the_other_agent() =>
        Verify.VerifyAsync(
            InHandler("""await manager.SetAsync({|#0:StateOwner.Agent(context.GuildId, "bob")|}, "notes", 1);"""),
            Verify.Diagnostic("TSTATE2001").WithLocation(0).WithArguments("Greeter", "notes", "'bob'"));

    [Fact]
    public Task The_own_agent_id_in_another_guild_is_reported() =>
        Verify.VerifyAsync(InHandler("""await manager.DeleteAsync({|TSTATE2001:StateOwner.Agent("other-guild", context.AgentId)|}, "notes");"""));

    [Fact]
    public Task An_owner_of_another_agent_held_in_a_local_is_reported_where_it_is_written() =>
        Verify.VerifyAsync(InHandler("""
            var bob = StateOwner.Agent(context.GuildId, "bob");
            await manager.UpdateAsync<int>({|TSTATE2001:bob|}, "count", v => v + 1);
            """));

    [Fact]
    public Task Agent_state_written_through_ForAgent_of_another_agent_is_reported() =>
        Verify.VerifyAsync(InHandler("""await {|TSTATE2001:manager.ForAgent(context.GuildId, message.Target)|}.SetAsync(Scope.Agent, "notes", 1);"""));

    [Fact]
    public Task A_generated_accessor_given_another_agents_state_is_reported() =>
        Verify.VerifyAsync(InHandler("""
            var other = manager.ForAgent(context.GuildId, "bob");
            await Notes.SaveAsync({|TSTATE2001:other|}, new Notes());
            """));

    [Fact]
    public Task A_generated_accessor_given_a_context_kept_from_another_message_is_reported() =>
        Verify.VerifyAsync(InHandler("""await Notes.UpdateAsync({|TSTATE2001:_last|}, n => n.Count++);"""));

    [Fact]
    public Task A_write_inside_a_transaction_lambda_of_the_handler_is_reported() =>
        Verify.VerifyAsync(InHandler("""
            await manager.RunTransactionAsync(async (tx, ct) =>
                await tx.SetAsync({|TSTATE2001:StateOwner.Agent(context.GuildId, "bob")|}, "count", 1, cancellationToken: ct));
            """));

    [Fact]
    public Task Writes_to_the_handlers_own_agent_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            await manager.SetAsync(StateOwner.Agent(context.GuildId, context.AgentId), "notes", 1);
            await manager.SetAsync(StateOwner.Agent(context.Guild.Id, context.State.AgentId), "notes", 2);
            await context.State.SetAsync(Scope.Agent, "notes", 3);
            """));

    [Fact]
    public Task Own_ids_kept_in_locals_are_silent() =>
        Verify.VerifyAsync(InHandler("""
            var me = context.AgentId;
            var guild = context.GuildId;
            var mine = StateOwner.Agent(guild, me);
            await manager.SetAsync(mine, "notes", 1);
            await manager.ForAgent(guild, me).SetAsync(Scope.Agent, "notes", 1);
            """));

    [Fact]
    public Task The_handlers_own_context_given_to_generated_accessors_is_silent() =>
        Verify.VerifyAsync(InHandler("""
            var ctx = context;
            await Notes.UpdateAsync(ctx, n => n.Count++);
            await Notes.SaveAsync(context.State, new Notes());
            """));

    [Fact]
    public Task Reading_another_agents_state_is_silent() =>
        Verify.VerifyAsync(InHandler("""
            var count = await manager.GetAsync<int>(StateOwner.Agent(context.GuildId, "bob"), "count");
            var notes = await Notes.LoadAsync(manager.ForAgent(context.GuildId, "bob"));
            """));

    [Fact]
    public Task Guild_state_written_through_another_agents_accessor_is_silent() =>
        Verify.VerifyAsync(InHandler("""
            await manager.ForAgent(context.GuildId, "bob").SetAsync(Scope.Guild, "board", 1);
            await manager.SetAsync(StateOwner.Guild(context.GuildId), "board", 1);
            """));

    [Fact]
    public Task The_same_write_outside_a_message_handler_is_silent() =>
        Verify.VerifyAsync("""
            public sealed class Admin(IStateManager manager)
            {
                public async Task ResetAsync(string guildId, string agentId) =>
                    await manager.SetAsync(StateOwner.Agent(guildId, agentId), "notes", 0);
            }
            """);

    [Fact]
    public Task A_HandleAsync_method_of_a_class_that_is_no_handler_is_silent() =>
        Verify.VerifyAsync("""
            public sealed class Lookalike(IStateManager manager)
            {
                public async ValueTask HandleAsync(string target, AgentContext context, CancellationToken cancellationToken) =>
                    await manager.SetAsync(StateOwner.Agent(context.GuildId, target), "notes", 0);
            }
            """);

    private static string WithHelper(string handlerType, string helper) => $$"""
        #pragma warning disable CS1998
        public sealed record Ping(string Target);

        public sealed class Greeter(IStateManager manager) : {{handlerType}}
        {
            public async ValueTask HandleAsync(Ping message, AgentContext context, CancellationToken cancellationToken) =>
                await RememberAsync(context, message.Target);

            {{helper}}
        }
        """;

    [Fact]
    public Task A_helper_of_the_handler_handed_the_context_is_checked_like_the_handler() =>
        Verify.VerifyAsync(WithHelper("IMessageHandler<Ping>", """
            private async Task RememberAsync(AgentContext context, string target)
            {
                await manager.SetAsync({|TSTATE2001:StateOwner.Agent(context.GuildId, target)|}, "seen", true);
                await manager.SetAsync(StateOwner.Agent(context.GuildId, context.AgentId), "mine", true);
            }
            """));

    [Fact]
    public Task A_method_taking_a_context_in_a_class_that_handles_nothing_is_silent() =>
        Verify.VerifyAsync(WithHelper("object", """
            private async Task RememberAsync(AgentContext context, string target) =>
                await manager.SetAsync(StateOwner.Agent(context.GuildId, target), "seen", true);
            """));
}
