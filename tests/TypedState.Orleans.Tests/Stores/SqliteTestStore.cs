using TypedState.DependencyInjection;
using TypedState.Sqlite;

namespace TypedState.Orleans.Tests.Stores;

/// <summary>A SQLite file in a temporary folder.</summary>
public sealed class SqliteTestStore : TestStore, IDisposable
{
    private readonly TempDirectory _directory = new();

    public override IReadOnlyList<string> ToolOptions => ["--driver", "sqlite", "--connection", _directory.ConnectionString("grains.db")];

    public override void Configure(TypedStateBuilder builder) => builder.UseSqlite(_directory.ConnectionString("grains.db"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Dispose();
    }

    public void Dispose() => _directory.Dispose();
}
