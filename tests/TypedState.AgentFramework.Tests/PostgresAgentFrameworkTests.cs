using Microsoft.Agents.AI;
using Npgsql;
using TypedState.DependencyInjection;
using TypedState.Postgres;

namespace TypedState.AgentFramework.Tests;

public sealed class PostgresAgentFrameworkTests : AgentFrameworkStoreTests
{
    private readonly string _schema = PostgresTestServer.NewSchemaName("maf");
    private PostgresTestServer? _server;

    public override async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UsePostgres(o =>
    {
        o.ConnectionString = _server!.ConnectionString;
        o.Schema = _schema;
    });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _server!.DropSchemasAsync([_schema]);
    }

    [Fact]
    public async Task A_session_whose_json_jsonb_would_reorder_comes_back_byte_exact_and_loads()
    {
        var host = Open();
        var agent = host.Agent(history: new InMemoryChatHistoryProvider());
        var key = AgentHost.Key("jsonb");
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("tool:ordering", session);
        await host.Store.SaveSessionAsync(agent, key, session);
        var json = await AgentHost.SerializeAsStoredAsync(agent, session);

        // The trap: as a jsonb object the same document loses its key order ($type no longer first).
        await using (var command = _server!.DataSource.CreateCommand("SELECT $1::jsonb::text"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            var reordered = (string)(await command.ExecuteScalarAsync())!;
            Assert.NotEqual(json.Replace(" ", string.Empty, StringComparison.Ordinal), reordered.Replace(" ", string.Empty, StringComparison.Ordinal));
        }

        var owner = StateOwner.Agent(AgentFrameworkOptions.DefaultGuildId, "support");
        Assert.Equal(json, (await PayloadStore.ReadAsync(host.State, owner, "maf/sessions/-/jsonb", CancellationToken.None))!.Value.Text);
        var restarted = Open();
        var again = restarted.Agent(history: new InMemoryChatHistoryProvider());
        var resumed = (await restarted.Store.GetSessionAsync(again, key))!;
        Assert.Equal("echo: after (5 messages)", (await again.RunAsync("after", resumed)).Text);
    }
}
