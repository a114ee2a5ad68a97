namespace TypedState.Testing;

// Transactions over several roots (see TransactionsStayWithinOneRoot): where a driver refuses them, the tests that
// commit across roots check the refusal and show the same behaviour within Guild1's root.
public abstract partial class StateStoreConformanceTests
{
    /// <summary>An agent of <see cref="G1"/> that tests use in place of another root where transactions stay within one.</summary>
    protected static StateOwner Agent3 => StateOwner.Agent(G1, "agent-3");

    /// <summary>
    /// <see cref="StateOwner.Global"/>, or <see cref="Agent3"/> (in <see cref="Guild1"/>'s root) where transactions stay
    /// within one root: the owner a test about one transaction over several owners adds to them.
    /// </summary>
    protected StateOwner GlobalOrSameRoot => TransactionsStayWithinOneRoot ? Agent3 : StateOwner.Global;

    /// <summary>
    /// Where transactions stay within one root (<see cref="TransactionsStayWithinOneRoot"/>): sets each of
    /// <paramref name="records"/> in one transaction and asserts that its commit is refused as not applied, with a
    /// <see cref="StateException"/> that is no conflict, and that none of them changed. Elsewhere does nothing: the test
    /// commits across roots itself.
    /// </summary>
    protected async Task AssertSpanningRootsRefusedAsync(StateManager state, params (StateOwner Owner, string Key)[] records)
    {
        if (!TransactionsStayWithinOneRoot)
        {
            return;
        }

        var before = new List<long?>();
        foreach (var (owner, key) in records)
        {
            before.Add((await state.GetRecordAsync(owner, key))?.Version);
        }

        await using (var tx = await state.BeginTransactionAsync())
        {
            foreach (var (owner, key) in records)
            {
                await tx.SetAsync(owner, key, "refused");
            }

            var refused = await Assert.ThrowsAnyAsync<StateException>(() => tx.CommitAsync().AsTask());
            Assert.IsNotType<StateConflictException>(refused);
            Assert.Equal(StateWriteOutcome.NotApplied, refused.Outcome);
            Assert.Contains("not applied", refused.Message, StringComparison.OrdinalIgnoreCase);
        }

        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equal(before[i], (await state.GetRecordAsync(records[i].Owner, records[i].Key))?.Version);
        }
    }
}
