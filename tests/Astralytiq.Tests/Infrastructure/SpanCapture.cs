using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A span as the exporter saw it: where it came from, what it was, its parent and its tags.</summary>
public sealed record CapturedSpan(string Source, string Name, ActivityKind Kind, string SpanId, string ParentSpanId, ActivityStatusCode Status,
    IReadOnlyDictionary<string, string?> Tags);

/// <summary>
/// The test exporter: an OpenTelemetry processor in every test host's tracer provider that keeps the spans of the traces
/// a test is watching (a test sends its own sampled <c>traceparent</c>; the hosts sample nothing else), so the suite pays
/// nothing for the rest.
/// </summary>
public sealed class SpanCapture : BaseProcessor<Activity>
{
    private static readonly ConcurrentDictionary<ActivityTraceId, ConcurrentDictionary<ActivitySpanId, CapturedSpan>> Watched = new();

    private static readonly ActivitySource Client = new("Astralytiq.Tests.Client");

    private static readonly ActivityListener ClientListener = Listen();

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Astralytiq.Tests.Client",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>
    /// Starts a sampled span of the test itself, as a traced caller would: requests sent while it is current carry its
    /// <c>traceparent</c>, and the spans of its trace are kept until <see cref="Forget"/>.
    /// </summary>
    public static Activity Start(string name)
    {
        GC.KeepAlive(ClientListener);
        var activity = Client.StartActivity(name, ActivityKind.Client) ?? throw new InvalidOperationException("the test's span was not sampled");
        Watched[activity.TraceId] = new ConcurrentDictionary<ActivitySpanId, CapturedSpan>();
        return activity;
    }

    public static IReadOnlyList<CapturedSpan> Spans(ActivityTraceId id) =>
        Watched.TryGetValue(id, out var spans) ? spans.Values.ToList() : [];

    public static void Forget(ActivityTraceId id) => Watched.TryRemove(id, out _);

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Watched.TryGetValue(data.TraceId, out var spans))
        {
            // Every host's provider sees every span of the process: keep each once.
            spans.TryAdd(data.SpanId, new CapturedSpan(data.Source.Name, data.DisplayName, data.Kind, data.SpanId.ToHexString(),
                data.ParentSpanId.ToHexString(), data.Status,
                data.TagObjects.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => Convert.ToString(g.Last().Value, System.Globalization.CultureInfo.InvariantCulture))));
        }
    }
}
