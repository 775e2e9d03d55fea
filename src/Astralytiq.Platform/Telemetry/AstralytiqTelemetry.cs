using System.Diagnostics.Metrics;

namespace Astralytiq.Platform.Telemetry;

/// <summary>
/// What a module needs to emit telemetry the same way as the kernel: name its <c>ActivitySource</c> and <c>Meter</c>
/// <c>Astralytiq.&lt;Module&gt;</c> (the host subscribes to <c>Astralytiq.*</c>), time durations in seconds with
/// <see cref="Seconds"/>, and describe statements by their kind, never their text.
/// </summary>
public static class AstralytiqTelemetry
{
    /// <summary>Histogram bucket bounds for durations in seconds: 5 ms to 10 minutes.</summary>
    public static InstrumentAdvice<double> Seconds => PlatformMetrics.Seconds;

    /// <summary>A SQL statement's first keyword (SELECT, INSERT, COPY, …), upper-cased, after leading comments; "SQL" when there is none.</summary>
    public static string StatementKind(string? sql)
    {
        var text = (sql ?? string.Empty).AsSpan().TrimStart();
        while (text.StartsWith("--"))
        {
            var end = text.IndexOf('\n');
            text = end < 0 ? [] : text[(end + 1)..].TrimStart();
        }
        var length = 0;
        while (length < text.Length && length < 16 && char.IsAsciiLetter(text[length]))
        {
            length++;
        }
        return length == 0 ? "SQL" : text[..length].ToString().ToUpperInvariant();
    }
}
