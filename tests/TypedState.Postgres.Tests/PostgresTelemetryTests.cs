using System.Collections.Concurrent;
using System.Diagnostics;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// On a real server the spans nest as a trace viewer shows them: RunTransactionAsync's span holds its read and its
/// commit, each tagged <c>db.system.name = postgresql</c>, and Npgsql's own command spans sit under those.
/// </summary>
public sealed class PostgresTelemetryTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_transaction_span_holds_its_calls_and_they_hold_npgsqls_commands()
    {
        await using var state = new PostgresStateManager(_server.ConnectionString, _schemas.New("telemetry"));
        var owner = StateOwner.Guild("telemetry");
        await state.SetAsync(owner, "balance", 1);

        var spans = new ConcurrentQueue<Activity>();
        using var root = new Activity("postgres telemetry test").Start();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "TypedState" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == root.TraceId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await state.RunTransactionAsync(async (tx, ct) =>
        {
            var balance = await tx.GetAsync<int>(owner, "balance", ct);
            await tx.SetAsync(owner, "balance", balance.Value + 1, cancellationToken: ct);
        });

        var transaction = Assert.Single(spans, s => s.OperationName == "typedstate.transaction");
        Assert.Equal(root.SpanId, transaction.ParentSpanId);
        var calls = spans.Where(s => s.ParentSpanId == transaction.SpanId).ToList();
        Assert.Equal(["get Guild", "commit Guild"], calls.Select(s => s.DisplayName));
        Assert.All(calls, call =>
        {
            Assert.Equal("postgresql", call.GetTagItem("db.system.name"));
            Assert.Contains(spans, s => s.Source.Name == "Npgsql" && s.ParentSpanId == call.SpanId);
        });
        Assert.DoesNotContain(spans, s => s.Source.Name == "Npgsql" && s.ParentSpanId == transaction.SpanId);
    }
}
