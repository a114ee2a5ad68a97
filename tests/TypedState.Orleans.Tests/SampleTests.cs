namespace TypedState.Orleans.Tests;

/// <summary>
/// The Orleans sample as a user runs it: two silos sharing PostgreSQL, agents as grains, their state read back through
/// the TypedState API; a second run continues where the first stopped, and --reset removes the guild.
/// </summary>
public sealed class SampleTests : IAsyncLifetime
{
    private readonly string _schema = PostgresTestServer.NewSchemaName("orleans_sample");
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _server.DropSchemasAsync([_schema]);

    [Fact]
    public async Task Two_silos_share_the_agents_state_on_PostgreSQL_across_runs()
    {
        var first = await RunAsync();
        Assert.Contains("store: PostgreSQL", first, StringComparison.Ordinal);
        Assert.Contains("front-desk/greeter (turn 1, on silo-", first, StringComparison.Ordinal);
        Assert.Contains("stored: greeter 4 turns, librarian 4 turns, journal 8 entries", first, StringComparison.Ordinal);

        var second = await RunAsync();
        Assert.Contains("front-desk/greeter (turn 5, on silo-", second, StringComparison.Ordinal);
        Assert.Contains("stored: greeter 8 turns, librarian 8 turns, journal 16 entries", second, StringComparison.Ordinal);

        Assert.Contains("removed guild front-desk", await RunAsync("--reset"), StringComparison.Ordinal);
        Assert.Contains("front-desk/greeter (turn 1, on silo-", await RunAsync(), StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        using var directory = new TempDirectory();
        var sample = Path.Combine(AppContext.BaseDirectory, "sample-orleans", "TypedState.Samples.Orleans.dll");
        var (exitCode, output) = await DotnetCli.RunAsync(directory.Path, TimeSpan.FromMinutes(2),
        [
            sample,
            $"--TypedState:Postgres:ConnectionString={_server.ConnectionString}",
            $"--TypedState:Postgres:Schema={_schema}",
            .. arguments,
        ]);
        Assert.True(exitCode == 0, $"The sample exited with {exitCode}:\n{output}");
        return output;
    }
}
