using static TypedState.Analyzers.Tests.Infrastructure.Sources;
using Verify = TypedState.Analyzers.Tests.Infrastructure.AnalyzerTest<TypedState.Analyzers.UnsavedStateAnalyzer>;

namespace TypedState.Analyzers.Tests;

/// <summary>Rule 7 (TSTATE2009): a loaded typed state changed and saved on no path.</summary>
public sealed class UnsavedStateAnalyzerTests
{
    private const string StateTypes = """
        [AgentState] public partial class Notes
        {
            public int Count { get; set; }
            public List<string> Items { get; set; } = [];
            public Dictionary<string, string> Tags { get; set; } = [];
            public Notes? Previous { get; set; }
        }
        [GuildState] public partial class Board { public int Count { get; set; } }
        """;

    private static string Code(string statements, string members = "") => InMethod(statements, members) + "\n" + StateTypes;

    [Fact]
    public Task A_property_set_and_never_saved_is_reported_with_the_type_and_scope() =>
        Verify.VerifyAsync(
            Code("""
                var {|#0:notes = await Notes.LoadAsync(state)|};
                notes.Value.Count = 3;
                """),
            Verify.Diagnostic("TSTATE2009").WithLocation(0).WithArguments("notes", "Notes", "agent"));

    [Fact]
    public Task An_increment_of_guild_state_through_the_manager_is_reported() =>
        Verify.VerifyAsync(Code("""
            var {|TSTATE2009:board = await Board.LoadAsync(manager, guildId)|};
            board.Value.Count++;
            """));

    [Fact]
    public Task A_list_add_is_a_change() =>
        Verify.VerifyAsync(Code("""
            var {|TSTATE2009:notes = await Notes.LoadAsync(state)|};
            notes.Value.Items.Add("more");
            """));

    [Fact]
    public Task An_indexer_set_and_a_compound_assignment_are_changes() =>
        Verify.VerifyAsync(Code("""
            var {|TSTATE2009:notes = await Notes.LoadAsync(state)|};
            notes.Value.Tags["mood"] = "calm";
            notes.Value.Count += 2;
            """));

    [Fact]
    public Task Replacing_the_value_and_changing_a_nested_member_are_changes() =>
        Verify.VerifyAsync(Code("""
            var {|TSTATE2009:first = await Notes.LoadAsync(state)|};
            first.Value = new Notes();
            var {|TSTATE2009:second = await Notes.LoadAsync(state)|};
            second.Value.Previous!.Count = 1;
            """));

    [Fact]
    public Task Loaded_in_a_transaction_changed_and_not_saved_before_the_commit_is_reported() =>
        Verify.VerifyAsync(Code("""
            await using var transaction = await state.BeginTransactionAsync();
            var {|TSTATE2009:notes = await Notes.LoadAsync(transaction)|};
            notes.Value.Count = 1;
            await transaction.CommitAsync();
            """));

    [Fact]
    public Task A_change_saved_afterwards_is_silent() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            notes.Value.Count = 3;
            await notes.SaveAsync();
            """));

    [Fact]
    public Task A_save_on_one_branch_only_is_silent_because_a_path_saves() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            notes.Value.Count = 3;
            if (notes.Value.Count > 2)
            {
                await notes.SaveAsync();
            }
            """));

    [Fact]
    public Task Deleting_the_record_instead_is_silent() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            notes.Value.Count = 0;
            await notes.DeleteAsync();
            """));

    [Fact]
    public Task Reads_only_are_silent_even_through_methods_and_lookups() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            var count = notes.Value.Count + notes.Value.Items.Count;
            var has = notes.Value.Items.Contains("x") || notes.Value.Tags.ContainsKey("mood");
            var version = notes.Version;
            """));

    [Fact]
    public Task A_tracked_state_handed_to_another_method_or_returned_is_silent() =>
        Verify.VerifyAsync(Code(
            """
            var notes = await Notes.LoadAsync(state);
            notes.Value.Count = 3;
            await SaveLaterAsync(notes);
            """,
            "private static Task SaveLaterAsync(TrackedState<Notes> notes) => notes.SaveAsync().AsTask();"));

    [Fact]
    public Task A_value_saved_through_another_call_is_silent() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            notes.Value.Count = 3;
            await Notes.SaveAsync(state, notes.Value);
            """));

    [Fact]
    public Task A_tracked_state_captured_by_a_lambda_is_silent() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            notes.Value.Count = 3;
            Func<Task> save = async () => await notes.SaveAsync();
            await save();
            """));

    [Fact]
    public Task A_change_to_a_copy_of_a_member_is_not_a_change_of_the_state() =>
        Verify.VerifyAsync(Code("""
            var notes = await Notes.LoadAsync(state);
            var items = new List<string>(notes.Value.Items);
            items.Add("local only");
            """));

    [Fact]
    public Task A_state_loaded_in_a_lambda_and_changed_there_is_reported_there() =>
        Verify.VerifyAsync(Code("""
            Func<Task> work = async () =>
            {
                var {|TSTATE2009:notes = await Notes.LoadAsync(state)|};
                notes.Value.Count = 1;
            };
            await work();
            """));
}
