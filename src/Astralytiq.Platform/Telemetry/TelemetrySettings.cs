namespace Astralytiq.Platform.Telemetry;

/// <summary><c>Astralytiq:Telemetry</c>: where traces and metrics go, and when a request or query counts as slow.</summary>
public sealed class TelemetrySettings
{
    public OtlpSettings Otlp { get; set; } = new();

    public MetricsSettings Metrics { get; set; } = new();

    public TracingSettings Tracing { get; set; } = new();

    /// <summary>A request that takes longer is logged as a warning with its route, status, tenant and trace id; 0 turns it off.</summary>
    [Range(0, 3_600_000)]
    public int SlowRequestMilliseconds { get; set; } = 2000;

    /// <summary>A database command that takes longer is logged as a warning with its kind and duration (never its values); 0 turns it off.</summary>
    [Range(0, 3_600_000)]
    public int SlowQueryMilliseconds { get; set; } = 500;

    /// <summary><c>text</c> (readable, the default) or <c>json</c> (one object a line, with trace, span, request, tenant and user ids).</summary>
    [RegularExpression("^(text|json)$", ErrorMessage = "must be 'text' or 'json'")]
    public string LogFormat { get; set; } = "text";
}

public sealed class OtlpSettings
{
    /// <summary>An OpenTelemetry collector (e.g. <c>http://127.0.0.1:4317</c>); traces and metrics are exported there when set.</summary>
    [Url(ErrorMessage = "must be an absolute http(s) URL")]
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http</c> (http/protobuf, port 4318).</summary>
    [RegularExpression("^(grpc|http)$", ErrorMessage = "must be 'grpc' or 'http'")]
    public string Protocol { get; set; } = "grpc";

    /// <summary>Extra headers for the collector, as <c>key1=value1,key2=value2</c> (an API key of a hosted backend).</summary>
    public string? Headers { get; set; }
}

public sealed class MetricsSettings
{
    /// <summary>Serve Prometheus metrics at <see cref="Path"/> (to operators, or to a scraper with <see cref="ScrapeToken"/>).</summary>
    public bool Enabled { get; set; } = true;

    [RegularExpression("^/[A-Za-z0-9/_-]*$", ErrorMessage = "must be a path such as /metrics")]
    public string Path { get; set; } = "/metrics";

    /// <summary>A bearer token a Prometheus scraper sends (<c>authorization.credentials</c>); at least 32 characters. Without it only signed-in operators read the metrics.</summary>
    [MinLength(32, ErrorMessage = "must be at least 32 characters")]
    public string? ScrapeToken { get; set; }
}

public sealed class TracingSettings
{
    /// <summary>Record traces. Unset: on when an OTLP endpoint is configured (traces without an exporter go nowhere).</summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// The share of traces started here that are recorded (0–1). A request that arrives with a W3C <c>traceparent</c> follows the
    /// caller's decision, so a sampled request is traced through every job and event it causes whatever the ratio.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SampleRatio { get; set; } = 1.0;
}
