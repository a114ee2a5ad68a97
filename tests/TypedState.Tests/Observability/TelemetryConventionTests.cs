using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TypedState.Tests.Observability;

/// <summary>
/// The telemetry follows OpenTelemetry's semantic conventions for database clients: instrument name, unit and bucket
/// advice, span names, one set of attribute names on spans and metrics, <c>error.type</c> on failures, and composite
/// operations as parents of the calls they make.
/// </summary>
public sealed class TelemetryConventionTests
{
    private static readonly StateOwner s_owner = StateOwner.Agent("conventions-guild", "conventions-agent");

    [Fact]
    public async Task The_duration_histogram_is_db_client_operation_duration_in_seconds_with_the_advised_buckets()
    {
        using var capture = new TelemetryCapture("conventions-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        await state.SetAsync(s_owner, "k", 1);

        var histogram = Assert.IsType<Histogram<double>>(capture.Instruments["db.client.operation.duration"]);
        Assert.Equal("s", histogram.Unit);
        Assert.Equal([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10], histogram.Advice?.HistogramBucketBoundaries);
        var measured = Assert.Single(capture.Measurements, m => m.Instrument == "db.client.operation.duration");
        Assert.InRange(measured.Value, 0, 10);
    }

    [Fact]
    public async Task Spans_and_metrics_carry_the_same_attribute_names_and_metrics_never_carry_owner_or_key()
    {
        using var capture = new TelemetryCapture("conventions-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        await state.SetAsync(s_owner, "k", 1);

        var span = Assert.Single(capture.Spans, s => s.OperationName == "typedstate.set");
        var measured = Assert.Single(capture.Measurements, m => m.Instrument == "db.client.operation.duration");
        Assert.Equal(capture.DriverName, span.GetTagItem("db.system.name"));
        Assert.Equal("set", span.GetTagItem("db.operation.name"));
        Assert.Equal("Agent", span.GetTagItem("db.collection.name"));
        Assert.Equal("Agent", span.GetTagItem("typedstate.scope"));
        Assert.Equal(
            ["db.collection.name", "db.operation.name", "db.system.name", "typedstate.scope"],
            measured.Tags.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in measured.Tags)
        {
            Assert.Equal(value, span.GetTagItem(name));
        }

        Assert.Equal(s_owner.ToString(), span.GetTagItem("typedstate.owner"));
        Assert.All(capture.Measurements, m => Assert.DoesNotContain(m.Tags.Keys, k => k is "typedstate.owner" or "typedstate.key"));
    }

    [Fact]
    public async Task A_failed_operation_reports_error_type_on_its_span_and_its_measurement()
    {
        using var capture = new TelemetryCapture("conventions-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(s_owner, "k", 1, expectedVersion: 5).AsTask());

        var span = Assert.Single(capture.Spans, s => s.OperationName == "typedstate.set");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("TypedState.StateConflictException", span.GetTagItem("error.type"));
        var measured = Assert.Single(capture.Measurements, m => m.Instrument == "db.client.operation.duration");
        Assert.Equal("TypedState.StateConflictException", measured.Tags["error.type"]);
    }

    [Theory]
    [InlineData("postgres", "postgresql")]
    [InlineData("sqlite", "sqlite")]
    [InlineData("redis", "redis")]
    [InlineData("in-memory", "in-memory")]
    public void The_drivers_report_the_conventions_well_known_system_names(string driver, string systemName) =>
        Assert.Equal(systemName, TypedState.Observability.TelemetryTags.SystemName(driver));

    [Fact]
    public async Task UpdateAsync_has_a_span_of_its_own_parent_of_each_attempts_get_and_set()
    {
        using var capture = new TelemetryCapture("conventions-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        var competitor = true;
        await state.UpdateAsync<int>(s_owner, "counter", v =>
        {
            if (competitor)
            {
                // Another writer gets in between this attempt's read and write: the update tries again.
                competitor = false;
                state.SetAsync(s_owner, "counter", 100).AsTask().GetAwaiter().GetResult();
            }

            return v + 1;
        });

        var update = Assert.Single(capture.Spans, s => s.OperationName == "typedstate.update");
        Assert.Equal("update Agent", update.DisplayName);
        Assert.Equal(ActivityKind.Internal, update.Kind);
        Assert.Equal(capture.Root.SpanId, update.ParentSpanId);
        Assert.Equal(2, update.GetTagItem("typedstate.attempts"));
        Assert.Equal("counter", update.GetTagItem("typedstate.key"));
        // In the order they ended: attempt 1 reads, the competitor writes (inside the update's callback), attempt 1's write conflicts, attempt 2 reads and writes.
        var children = capture.Spans.Where(s => s.ParentSpanId == update.SpanId).ToList();
        Assert.Equal(["typedstate.get", "typedstate.set", "typedstate.set", "typedstate.get", "typedstate.set"], children.Select(s => s.OperationName));
        Assert.Equal(ActivityStatusCode.Error, children[2].Status);
        Assert.DoesNotContain(capture.Measurements, m => Equals(m.Tags["db.operation.name"], "update"));
    }

    [Fact]
    public async Task RunTransactionAsync_has_a_span_of_its_own_parent_of_its_reads_and_its_commit()
    {
        using var capture = new TelemetryCapture("conventions-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        await state.RunTransactionAsync(async (tx, ct) =>
        {
            var entry = await tx.GetAsync<int>(s_owner, "balance", ct);
            await tx.SetAsync(s_owner, "balance", entry.GetValueOrDefault(0) + 1, cancellationToken: ct);
        });

        var transaction = Assert.Single(capture.Spans, s => s.OperationName == "typedstate.transaction");
        Assert.Equal("transaction", transaction.DisplayName);
        Assert.Equal(1, transaction.GetTagItem("typedstate.attempts"));
        Assert.Equal(ActivityStatusCode.Unset, transaction.Status);
        var children = capture.Spans.Where(s => s.ParentSpanId == transaction.SpanId).Select(s => s.OperationName).Order(StringComparer.Ordinal);
        Assert.Equal(["typedstate.commit", "typedstate.get"], children);
    }

    [Fact]
    public async Task A_transaction_that_fails_marks_its_span_with_error_type()
    {
        using var capture = new TelemetryCapture("conventions-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        await state.SetAsync(s_owner, "balance", 1);
        await Assert.ThrowsAsync<StateConflictException>(() => state.RunTransactionAsync(
            async (tx, ct) =>
            {
                var entry = await tx.GetAsync<int>(s_owner, "balance", ct);
                await state.SetAsync(s_owner, "balance", entry.Value + 10, cancellationToken: ct);
                await tx.SetAsync(s_owner, "balance", entry.Value + 1, cancellationToken: ct);
            },
            maxAttempts: 2).AsTask());

        var transaction = Assert.Single(capture.Spans, s => s.OperationName == "typedstate.transaction");
        Assert.Equal(2, transaction.GetTagItem("typedstate.attempts"));
        Assert.Equal(ActivityStatusCode.Error, transaction.Status);
        Assert.Equal("TypedState.StateConflictException", transaction.GetTagItem("error.type"));
        Assert.Equal(2, capture.Spans.Count(s => s.ParentSpanId == transaction.SpanId && s.OperationName == "typedstate.commit"));
    }
}
