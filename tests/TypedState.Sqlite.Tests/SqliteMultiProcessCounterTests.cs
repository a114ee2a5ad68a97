
namespace TypedState.Tests.Sqlite;

/// <summary>The multi-process counters on one SQLite file.</summary>
public sealed class SqliteMultiProcessCounterTests : MultiProcessCounterTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    protected override Task<string> CreateStoreSpecAsync() => Task.FromResult("sqlite|" + _directory.ConnectionString());
}
