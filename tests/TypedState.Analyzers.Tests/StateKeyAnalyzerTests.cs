using static TypedState.Analyzers.Tests.Infrastructure.Sources;
using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.StateKeyAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>Rule 5: constant keys, prefixes and ids the store refuses (TSTATE2007) and wildcard-looking prefixes (TSTATE2008).</summary>
public sealed class StateKeyAnalyzerTests
{
    private static readonly string s_key513 = new('k', 513);
    private static readonly string s_key512 = new('k', 512);

    [Fact]
    public Task An_empty_key_passed_to_the_manager_is_an_error() =>
        Verify.VerifyAsync(InMethod("""await manager.SetAsync(owner, {|TSTATE2007:""|}, 1);"""));

    [Fact]
    public Task A_key_with_a_control_character_is_an_error_in_a_read_too() =>
        Verify.VerifyAsync(InMethod("""await manager.GetAsync<int>(owner, {|TSTATE2007:"visits\n"|});"""));

    [Fact]
    public Task A_constant_longer_than_the_default_limit_is_an_error_where_it_is_used() =>
        Verify.VerifyAsync(InMethod("""await manager.DeleteAsync(owner, {|TSTATE2007:Long|});""", $"private const string Long = \"{s_key513}\";"));

    [Fact]
    public Task A_key_with_an_unpaired_surrogate_is_an_error_through_agent_bound_state() =>
        Verify.VerifyAsync(InMethod("""await state.DeleteAsync(Scope.Agent, {|TSTATE2007:"a\uD800"|});"""));

    [Fact]
    public Task An_empty_agent_id_of_an_owner_is_an_error() =>
        Verify.VerifyAsync(InMethod("""var other = StateOwner.Agent("guild", {|TSTATE2007:""|});"""));

    [Fact]
    public Task A_guild_id_with_a_tab_given_to_ForAgent_is_an_error() =>
        Verify.VerifyAsync(InMethod("""var other = manager.ForAgent({|TSTATE2007:"guild\t"|}, "agent");"""));

    [Fact]
    public Task A_lower_key_limit_set_in_editorconfig_is_applied() =>
        Verify.VerifyAsync(
            InMethod("""await tx.SetAsync(owner, {|TSTATE2007:"123456789"|}, 1);"""),
            "typedstate.max_key_length = 8");

    [Fact]
    public Task A_prefix_ending_in_a_star_is_reported_with_the_literal_prefix_to_use() =>
        Verify.VerifyAsync(InMethod("""_ = manager.ListAsync<int>(owner, {|TSTATE2008:"visits/*"|});"""));

    [Fact]
    public Task A_percent_prefix_through_agent_bound_state_is_reported() =>
        Verify.VerifyAsync(InMethod("""_ = state.ListAsync<int>(Scope.Guild, {|TSTATE2008:"%"|});"""));

    [Fact]
    public Task A_question_mark_in_a_record_listing_prefix_is_reported() =>
        Verify.VerifyAsync(InMethod("""_ = manager.ListRecordsAsync(owner, {|TSTATE2008:"visit?"|});"""));

    [Fact]
    public Task A_prefix_with_a_control_character_is_an_error_not_a_wildcard() =>
        Verify.VerifyAsync(InMethod("""_ = manager.ListAsync<int>(owner, {|TSTATE2007:"a\0*"|});"""));

    [Fact]
    public Task Valid_keys_prefixes_and_ids_are_silent() =>
        Verify.VerifyAsync(InMethod("""
            await manager.SetAsync(StateOwner.Agent("guild-1", "agent/7"), "visits/2026", 1);
            await state.SetAsync(Scope.Guild, "emoji 😀", 1);
            _ = manager.ListAsync<int>(owner, "visits/");
            var scoped = manager.ForAgent("guild-1", "agent-1");
            """));

    [Fact]
    public Task A_key_of_exactly_the_limit_is_silent() =>
        Verify.VerifyAsync(InMethod("""await manager.SetAsync(owner, Long, 1);""", $"private const string Long = \"{s_key512}\";"));

    [Fact]
    public Task A_key_containing_a_star_is_silent_because_keys_are_not_patterns() =>
        Verify.VerifyAsync(InMethod("""await manager.SetAsync(owner, "visits/*", 1);"""));

    [Fact]
    public Task An_empty_prefix_lists_everything_and_is_silent() =>
        Verify.VerifyAsync(InMethod("""_ = manager.ListAsync<int>(owner, "");"""));

    [Fact]
    public Task Keys_that_are_not_constants_are_not_checked() =>
        Verify.VerifyAsync(InMethod("""
            var key = agentId + "/visits";
            await manager.SetAsync(owner, key, 1);
            await manager.SetAsync(owner, agentId, 1);
            """));

    [Fact]
    public Task A_lock_on_the_whole_owner_passes_a_null_key_and_is_silent() =>
        Verify.VerifyAsync(InMethod("""await using var held = await manager.AcquireLockAsync(owner, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));"""));

    [Fact]
    public Task A_global_owner_rebuilt_from_stored_columns_has_empty_ids_and_is_silent() =>
        Verify.VerifyAsync(InMethod("""var global = StateOwner.FromStored(Scope.Global, "", "");"""));

    [Fact]
    public Task A_higher_key_limit_set_in_editorconfig_allows_longer_keys() =>
        Verify.VerifyAsync(
            InMethod("""await manager.SetAsync(owner, Long, 1);""", $"private const string Long = \"{s_key513}\";"),
            "typedstate.max_key_length = 1024");

    [Fact]
    public Task Empty_strings_given_to_other_apis_with_a_key_parameter_are_silent() =>
        Verify.VerifyAsync(InMethod("""
            var map = new Dictionary<string, int>();
            _ = map.ContainsKey("");
            _ = map.TryGetValue("", out _);
            """));

    [Fact]
    public Task A_star_in_an_agent_id_is_silent() =>
        Verify.VerifyAsync(InMethod("""var other = StateOwner.Agent("guild", "agent*");"""));

    [Fact]
    public Task A_wildcard_in_a_prefix_that_is_not_constant_is_silent() =>
        Verify.VerifyAsync(InMethod("""_ = manager.ListAsync<int>(owner, agentId + "*");"""));
}
