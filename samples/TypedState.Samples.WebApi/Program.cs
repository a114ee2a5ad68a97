// Agent state behind HTTP: each agent of a guild keeps its notes in typed agent state. The store is chosen by
// configuration ("TypedState" in appsettings.json: SQLite by default, PostgreSQL with TypedState__Driver=Postgres and
// ConnectionStrings__state), /health/ready asks the store for a round trip, and OpenTelemetry records the requests
// and the store's spans and metrics (exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set).
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TypedState;
using TypedState.Diagnostics;
using TypedState.Postgres;
using TypedState.Samples.WebApi;
using TypedState.Samples.WebApi.State;
using TypedState.Sqlite;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddTypedState(b => b
    .AddSqlite()
    .AddPostgres()
    .UseConfiguration(builder.Configuration.GetSection("TypedState"))
    .AddStateTypes(GeneratedStateTypes.All)
    .MigrateOnStartup());

builder.Services.AddHealthChecks().AddTypedState(tags: ["ready"], timeout: TimeSpan.FromSeconds(5));

var telemetry = builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddSource(StateTelemetry.Name))
    .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddMeter(StateTelemetry.Name));
if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    telemetry.UseOtlpExporter();
}

var app = builder.Build();

// Liveness: the process answers. Readiness: the store answers too.
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

// An id the store refuses (too long, control characters) is the caller's mistake: 400 with the store's message.
var agents = app.MapGroup("/guilds/{guildId}/agents/{agentId}").AddEndpointFilter(async (context, next) =>
{
    try
    {
        return await next(context);
    }
    catch (Exception ex) when (ex is InvalidStateKeyException or ArgumentException)
    {
        return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
    }
});
agents.MapGet("/notes", async (string guildId, string agentId, IStateManager state, CancellationToken cancellationToken) =>
{
    var notes = await AgentNotes.LoadAsync(state.ForAgent(guildId, agentId), cancellationToken);
    return new NotesResponse(notes.Value.Notes, notes.Version);
});
agents.MapPost("/notes", async (string guildId, string agentId, NoteRequest request, IStateManager state, CancellationToken cancellationToken) =>
{
    if (string.IsNullOrWhiteSpace(request.Text))
    {
        return Results.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["A note needs text."] });
    }

    var notes = await AgentNotes.UpdateAsync(state.ForAgent(guildId, agentId), n => n.Notes.Add(request.Text), cancellationToken);
    return Results.Ok(new NotesResponse(notes.Value.Notes, notes.Version));
});
agents.MapDelete(string.Empty, async (string guildId, string agentId, IStateManager state, CancellationToken cancellationToken) =>
{
    await state.RemoveAgentAsync(guildId, agentId, cancellationToken);
    return Results.NoContent();
});

await app.RunAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
