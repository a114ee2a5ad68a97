using TypedState.Postgres;
using TypedState.Redis;

namespace TypedState.Tool.Tests;

/// <summary>
/// The tool against the server drivers, on servers the fixtures start on 127.0.0.1: the same fill, the same answers
/// as on SQLite; and a server that is not there is exit code 2 with a message naming the store.
/// </summary>
public sealed class ServerToolTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Status_and_get_read_a_redis_store_under_its_key_prefix()
    {
        var server = await RedisTestServer.GetSharedAsync();
        var prefix = RedisTestServer.NewKeyPrefix("tool");
        try
        {
            await using (var state = new RedisStateManager(server.Configuration, prefix))
            {
                await StoreFill.FillAsync(state);
            }

            string[] store = ["--driver", "redis", "--connection", server.Configuration, "--key-prefix", prefix];
            await AssertFilledAsync(store, "Redis store");
        }
        finally
        {
            await server.DeletePrefixesAsync([prefix]);
        }
    }

    [Fact]
    public async Task Status_and_get_read_a_postgres_store_in_its_schema()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("tool");
        try
        {
            await using (var state = new PostgresStateManager(server.ConnectionString, schema))
            {
                await StoreFill.FillAsync(state);
            }

            string[] store = ["--driver", "postgres", "--connection", server.ConnectionString, "--schema", schema];
            await AssertFilledAsync(store, "Postgres store");
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    [Fact]
    public async Task A_postgres_server_that_is_not_there_is_exit_code_2_naming_the_store()
    {
        var port = FreePort();
        var result = await ToolProcess.RunAsync(_temp.Path, "status", "--driver", "postgres", "--connection", $"Host=127.0.0.1;Port={port};Username=nobody;Password=secret;Timeout=3");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Postgres store 127.0.0.1", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_server_that_is_not_there_is_exit_code_2_naming_the_store()
    {
        var port = FreePort();
        var result = await ToolProcess.RunAsync(_temp.Path, "status", "--driver", "redis", "--connection", $"127.0.0.1:{port},connectTimeout=2000,password=secret");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Redis store 127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A port nothing listens on: taken from the system, then released.</summary>
    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AssertFilledAsync(string[] store, string description)
    {
        var status = await ToolProcess.RunAsync(_temp.Path, ["status", "--json", .. store]);
        Assert.True(status.ExitCode == 0, status.ToString());
        var json = status.Json();
        Assert.StartsWith(description, json.GetProperty("store").GetString(), StringComparison.Ordinal);
        Assert.Equal([1L, 1L, 5L], json.GetProperty("scopes").EnumerateArray().Select(s => s.GetProperty("records").GetInt64()));
        Assert.Equal(1, json.GetProperty("corruptCount").GetInt64());

        var get = await ToolProcess.RunAsync(_temp.Path, ["get", "Board", "--guild", StoreFill.Guild, "--json", .. store]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(3, get.Json().GetProperty("value").GetProperty("Pins").GetInt32());
    }
}
