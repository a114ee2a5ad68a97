using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TypedState.Diagnostics;

namespace TypedState.Tests.Observability;

/// <summary>
/// What an application wired as docs/telemetry.md shows gets from the OpenTelemetry SDK itself (in-memory exporters):
/// the histogram in the advised buckets rather than the SDK's defaults, and spans named by the conventions.
/// </summary>
public sealed class OpenTelemetrySdkTests
{
    [Fact]
    public async Task The_sdk_wired_with_AddSource_and_AddMeter_exports_the_advised_buckets_and_conventional_spans()
    {
        var driverName = "otel-sdk-" + Guid.NewGuid().ToString("N");
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(StateTelemetry.Name).AddInMemoryExporter(metrics).Build();
        using var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(StateTelemetry.Name).AddInMemoryExporter(spans).Build();

        await using (var state = new StateManager(new NamedDriver(driverName), ownsDriver: true))
        {
            var owner = StateOwner.Guild("otel-sdk-guild");
            await state.UpdateAsync<int>(owner, "n", v => v + 1);
        }

        Assert.True(meterProvider.ForceFlush());
        Assert.True(tracerProvider.ForceFlush());

        var duration = metrics.Last(m => m.Name == "db.client.operation.duration");
        Assert.Equal("s", duration.Unit);
        var points = duration.MetricPoints.Where(p => HasTag(p, "db.system.name", driverName)).ToList();
        Assert.Equal(2, points.Count);
        foreach (var point in points)
        {
            var bounds = new List<double>();
            foreach (var bucket in point.GetHistogramBuckets())
            {
                bounds.Add(bucket.ExplicitBound);
            }

            Assert.Equal([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, double.PositiveInfinity], bounds);
            Assert.Equal(1, point.GetHistogramCount());
        }

        Assert.Contains(points, p => HasTag(p, "db.operation.name", "get") && HasTag(p, "db.collection.name", "Guild"));
        Assert.Contains(points, p => HasTag(p, "db.operation.name", "set") && HasTag(p, "typedstate.scope", "Guild"));

        var ours = spans.Where(s => Equals(s.GetTagItem("typedstate.owner"), "guild:otel-sdk-guild")).ToList();
        var update = Assert.Single(ours, s => s.DisplayName == "update Guild");
        Assert.Equal(["get Guild", "set Guild"], ours.Where(s => s.ParentSpanId == update.SpanId && s.TraceId == update.TraceId).Select(s => s.DisplayName));
        Assert.All(ours.Where(s => s != update), s => Assert.Equal(ActivityKind.Client, s.Kind));
    }

    private static bool HasTag(MetricPoint point, string name, string value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == name && Equals(tag.Value, value))
            {
                return true;
            }
        }

        return false;
    }
}
