using TypedState.Storage;

namespace TypedState.Testing;

// Where the migrator's batches end: every BatchSize owners, and where transactions stay within one root at each new
// guild too, so the tests of a migrator that stops know which records their batches upgraded before it stopped.
public abstract partial class StateStoreConformanceTests
{
    /// <summary>The number of the batch the migrator puts each of <paramref name="listed"/> (in listing order) in.</summary>
    private int[] MigrationBatches(List<StateOwner> listed, int batchSize)
    {
        var batches = new int[listed.Count];
        var (batch, size) = (0, 0);
        for (var i = 0; i < listed.Count; i++)
        {
            if (size == batchSize || (size > 0 && TransactionsStayWithinOneRoot && listed[i].GuildId != listed[i - 1].GuildId))
            {
                (batch, size) = (batch + 1, 0);
            }

            batches[i] = batch;
            size++;
        }

        return batches;
    }

    /// <summary>
    /// Asserts the records after a migrator stopped at <paramref name="stopped"/>'s batch: owners of earlier batches
    /// hold their <paramref name="upgraded"/> document one version up, the others what they were seeded with. Returns
    /// how many were upgraded.
    /// </summary>
    private async Task<int> AssertStoppedAtAsync(IStateDriver driver, int batchSize, StateOwner stopped, IReadOnlyDictionary<StateOwner, (string Doc, long Version)> seeded, Func<StateOwner, string> upgraded)
    {
        var listed = await ListOwnersInOrderAsync(driver, stopped.Scope);
        var batches = MigrationBatches(listed, batchSize);
        var stoppedAt = batches[listed.IndexOf(stopped)];
        var upgradedCount = 0;
        for (var i = 0; i < listed.Count; i++)
        {
            var (doc, version) = seeded[listed[i]];
            if (batches[i] < stoppedAt)
            {
                await AssertRawAsync(driver, listed[i], upgraded(listed[i]), version + 1);
                upgradedCount++;
            }
            else
            {
                await AssertRawAsync(driver, listed[i], doc, version);
            }
        }

        return upgradedCount;
    }
}
