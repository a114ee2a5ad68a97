namespace TypedState.Tests.Reliability;

/// <summary>
/// A commit whose answer was lost is repeated under its commit id until the outcome is known, so one logical change
/// is applied once; when the outcome cannot be learned the error says so.
/// </summary>
public sealed class CommitRecoveryTests
{
    private static readonly StateOwner s_guild = StateOwner.Guild("g");

    [Fact]
    public async Task An_update_whose_answer_was_lost_after_it_applied_is_applied_once()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver);
        await state.SetAsync(s_guild, "count", 1);
        driver.Next(CommitFault.ApplyThenLoseAnswer);

        var updated = await state.UpdateAsync<int>(s_guild, "count", n => n + 1);

        Assert.Equal(2, updated.Value);
        var stored = await state.GetAsync<int>(s_guild, "count");
        Assert.Equal((2, 2L), (stored.Value, stored.Version));
        Assert.Equal(driver.CommitIds[^2], driver.CommitIds[^1]);
    }

    [Fact]
    public async Task An_update_whose_request_was_lost_before_it_applied_is_applied_by_the_repeat()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver);
        await state.SetAsync(s_guild, "count", 1);
        driver.Next(CommitFault.LoseBeforeApplying, CommitFault.LoseBeforeApplying);

        var updated = await state.UpdateAsync<int>(s_guild, "count", n => n + 1);

        Assert.Equal(2, updated.Value);
        Assert.Equal(2, (await state.GetAsync<int>(s_guild, "count")).Value);
        Assert.Single(driver.CommitIds.Skip(1).Distinct());
    }

    [Fact]
    public async Task A_transaction_whose_answer_was_lost_is_applied_once()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver);
        await state.SetAsync(s_guild, "a", 10);
        driver.Next(CommitFault.ApplyThenLoseAnswer);
        var runs = 0;

        await state.RunTransactionAsync(async (tx, ct) =>
        {
            runs++;
            var a = await tx.GetAsync<int>(s_guild, "a", ct);
            await tx.SetAsync(s_guild, "a", a.Value + 1, cancellationToken: ct);
            await tx.SetAsync(StateOwner.Agent("g", "x"), "n", a.Value, cancellationToken: ct);
        });

        Assert.Equal(1, runs);
        Assert.Equal((11, 2L), ((await state.GetAsync<int>(s_guild, "a")).Value, (await state.GetAsync<int>(s_guild, "a")).Version));
        Assert.Equal(10, (await state.GetAsync<int>(StateOwner.Agent("g", "x"), "n")).Value);
    }

    [Fact]
    public async Task An_outcome_that_cannot_be_learned_is_reported_as_unknown_naming_the_record()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver, new StateManagerOptions { CommitRecoveryTimeout = TimeSpan.Zero });
        driver.Next(CommitFault.ApplyThenLoseAnswer);

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(s_guild, "k", "v"));

        Assert.Equal(StateWriteOutcome.Unknown, error.Outcome);
        Assert.Equal(s_guild, error.Owner);
        Assert.Equal("k", error.Key);
        Assert.Contains("may or may not be stored", error.Message, StringComparison.Ordinal);
        Assert.Contains("key 'k'", error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task A_repeat_that_keeps_failing_until_the_recovery_time_is_up_reports_unknown()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver, new StateManagerOptions { CommitRecoveryTimeout = TimeSpan.FromMilliseconds(200) });
        driver.Next([.. Enumerable.Repeat(CommitFault.LoseBeforeApplying, 1000)]);

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(s_guild, "k", "v"));

        Assert.Equal(StateWriteOutcome.Unknown, error.Outcome);
        Assert.True(driver.CommitIds.Count >= 2, $"{driver.CommitIds.Count} attempts");
        Assert.Single(driver.CommitIds.Distinct());
        Assert.False((await state.GetAsync<string>(s_guild, "k")).Exists);
    }

    [Fact]
    public async Task A_failure_the_driver_knows_applied_nothing_is_reported_as_not_applied_without_a_repeat()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver);
        driver.Next(CommitFault.RefuseConnection);

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(s_guild, "k", "v"));

        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.Contains("Nothing was stored", error.Message, StringComparison.Ordinal);
        Assert.Single(driver.CommitIds);
    }

    [Fact]
    public async Task Cancelling_while_the_outcome_is_being_learned_reports_unknown_not_a_plain_cancellation()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver);
        driver.Next([.. Enumerable.Repeat(CommitFault.LoseBeforeApplying, 1000)]);
        using var cancel = new CancellationTokenSource();

        // The first attempt fails at once; the manager then waits to repeat it, and is cancelled whenever that is.
        var write = state.SetAsync(s_guild, "k", "v", cancellationToken: cancel.Token).AsTask();
        Assert.NotEmpty(driver.CommitIds);
        cancel.Cancel();
        var error = await Assert.ThrowsAsync<StateDriverException>(() => write);

        Assert.Equal(StateWriteOutcome.Unknown, error.Outcome);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
    }

    [Fact]
    public async Task A_multi_record_batch_failure_names_each_record_instead_of_an_unknown_owner()
    {
        var driver = new LostAnswerDriver();
        await using var state = new StateManager(driver);
        driver.Next(CommitFault.RefuseConnection);

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.RunTransactionAsync(async (tx, ct) =>
        {
            await tx.SetAsync(s_guild, "a", 1, cancellationToken: ct);
            await tx.SetAsync(StateOwner.Agent("g", "x"), "n", 2, cancellationToken: ct);
        }));

        Assert.DoesNotContain("owner unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("scope Guild, guild 'g', key 'a'", error.Message, StringComparison.Ordinal);
        Assert.Contains("scope Agent, guild 'g', agent 'x', key 'n'", error.Message, StringComparison.Ordinal);
    }
}
