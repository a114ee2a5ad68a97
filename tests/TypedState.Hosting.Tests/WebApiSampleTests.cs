using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using TypedState.Samples.WebApi.State;

namespace TypedState.Tests.Hosting;

/// <summary>
/// The ASP.NET Core sample, started in memory with its own configuration file and the settings a deployment would
/// add: agent state over HTTP, and a readiness endpoint that turns unhealthy when the database goes away.
/// </summary>
public sealed class WebApiSampleTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task On_SQLite_notes_round_trip_and_readiness_fails_once_the_file_is_gone()
    {
        var file = Path.Combine(_directory.Path, "webapi.db");
        await using var app = Sample(("TypedState:Driver", "Sqlite"), ("TypedState:Sqlite:ConnectionString", $"Data Source={file}"));
        using var client = app.CreateClient();

        await AssertNotesRoundTripAsync(client);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(client, "/health/ready"));

        // The database goes away: the file (and its WAL) deleted under the running application.
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(path);
        }

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync(client, "/health/ready"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(client, "/health/live"));
    }

    [Fact]
    public async Task On_PostgreSQL_notes_round_trip_and_readiness_fails_once_the_server_stops()
    {
        var server = await PostgresTestServer.StartPrivateAsync();
        await using var app = Sample(("TypedState:Driver", "Postgres"), ("ConnectionStrings:state", server.ConnectionString));
        using var client = app.CreateClient();

        await AssertNotesRoundTripAsync(client);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(client, "/health/ready"));

        await server.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(async () => await new Npgsql.NpgsqlConnection(server.ConnectionString + ";Pooling=false").OpenAsync());

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync(client, "/health/ready"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(client, "/health/live"));
    }

    // UseSetting, not ConfigureAppConfiguration: the program reads the driver's name while it registers services,
    // before sources added by ConfigureAppConfiguration exist (they are added when the app is built).
    private static WebApplicationFactory<Program> Sample(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

    private static async Task AssertNotesRoundTripAsync(HttpClient client)
    {
        var agent = $"/guilds/desk/agents/{Guid.NewGuid():N}";
        var empty = await client.GetFromJsonAsync<NotesResponse>($"{agent}/notes");
        Assert.Empty(empty!.Notes);
        Assert.Equal(0, empty.Version);

        var first = await (await client.PostAsJsonAsync($"{agent}/notes", new NoteRequest("likes tea"))).Content.ReadFromJsonAsync<NotesResponse>();
        Assert.Equal(["likes tea"], first!.Notes);
        var second = await client.PostAsJsonAsync($"{agent}/notes", new NoteRequest("reads Borges"));
        var written = await second.Content.ReadFromJsonAsync<NotesResponse>();
        Assert.Equal(["likes tea", "reads Borges"], written!.Notes);

        // Versions grow with every write (PostgreSQL's may skip numbers, so only the order is asserted).
        Assert.True(written.Version > first.Version && first.Version > 0, $"{first.Version} then {written.Version}");
        var read = await client.GetFromJsonAsync<NotesResponse>($"{agent}/notes");
        Assert.Equal(["likes tea", "reads Borges"], read!.Notes);
        Assert.Equal(written.Version, read.Version);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"{agent}/notes", new NoteRequest(" "))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(agent)).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<NotesResponse>($"{agent}/notes"))!.Notes);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
