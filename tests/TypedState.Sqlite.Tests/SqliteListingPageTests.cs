using TypedState.Sqlite;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Listings whose pages are larger than the driver's first listing buffer (256 records): the buffer grows while a
/// page is read, and the grown buffer serves the pages after it, in key order and without a record lost or repeated.
/// </summary>
public sealed class SqliteListingPageTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(600, 1300)] // pages of 600, 600, 100: the buffer grows (256, 512, 1024) on the first page only
    [InlineData(300, 300)] // one full page, then an empty one
    [InlineData(1000, 257)] // one partial page, one record beyond the first buffer
    public async Task A_listing_returns_every_record_in_order_whatever_the_page_size(int pageSize, int records)
    {
        await using var state = new SqliteStateManager(new SqliteStateDriverOptions
        {
            ConnectionString = _directory.ConnectionString(),
            Synchronous = SqliteSynchronousMode.Normal,
            ListPageSize = pageSize,
        });
        var owner = StateOwner.Agent("g", "a");
        for (var start = 0; start < records; start += 100)
        {
            await using var transaction = await state.BeginTransactionAsync();
            for (var i = start; i < Math.Min(start + 100, records); i++)
            {
                await transaction.SetAsync(owner, $"k{i:D5}", $"v{i}");
            }

            await transaction.CommitAsync();
        }

        // Neighbours the bounds must leave out: another owner, and a key beyond the prefix.
        await state.SetAsync(StateOwner.Agent("g", "b"), "k00000", "other owner");
        await state.SetAsync(owner, "l", "beyond the prefix");

        var listed = new List<(string Key, string? Value)>();
        await foreach (var entry in state.ListAsync<string>(owner, "k"))
        {
            listed.Add((entry.Key, entry.Value));
        }

        Assert.Equal(Enumerable.Range(0, records).Select(i => ($"k{i:D5}", (string?)$"v{i}")), listed);
    }
}
