namespace Astralytiq.Dashboards.Reports;

/// <summary>What one report run shows: the dashboard's widgets in reading order, each with its data as computed at run time.</summary>
internal sealed record ReportContent(
    string DashboardName,
    string ReportName,
    DateTimeOffset GeneratedAt,
    string TimeZone,
    IReadOnlyList<string> Filters,
    string? Message,
    IReadOnlyList<ReportSection> Sections,
    IFormatProvider Numbers)
{
    public string LocalTime()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        return TimeZoneInfo.ConvertTime(GeneratedAt, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + TimeZone;
    }
}

/// <summary>One widget and its data (null for text widgets).</summary>
internal sealed record ReportSection(WidgetDto Widget, WidgetDataResponse? Data)
{
    public string Title => string.IsNullOrWhiteSpace(Widget.Title) ? Widget.Type + " " + Widget.Id : Widget.Title!;
}

/// <summary>Cell values as the query engine (or its cache, as JSON) gives them: numbers, text, ISO dates, booleans.</summary>
internal static partial class Cells
{
    public static double? Number(object? value) => value switch
    {
        null => null,
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        short s => s,
        byte b => b,
        decimal m => (double)m,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public static bool IsNumber(object? value) => value switch
    {
        double or float or long or int or short or byte or decimal => true,
        JsonElement { ValueKind: JsonValueKind.Number } => true,
        _ => false,
    };

    /// <summary>Text for files: numbers with all their digits (invariant culture), dates as ISO, nothing for null.</summary>
    public static string Raw(object? value) => value switch
    {
        null => string.Empty,
        JsonElement { ValueKind: JsonValueKind.Null } => string.Empty,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        JsonElement e => e.ToString(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// Text for reading (the PDF, the email): thousands separated, at most two decimals, in the organisation's number format;
    /// dates without a midnight time.
    /// </summary>
    public static string Display(object? value, IFormatProvider numbers)
    {
        if (IsNumber(value) && Number(value) is { } n)
        {
            return Math.Abs(n) >= 1000 || n == Math.Floor(n) ? n.ToString("#,0.##", numbers) : n.ToString("0.####", numbers);
        }
        var raw = Raw(value);
        // Only an ISO date-time loses its "T" (and a midnight time); text keeps every letter ("Thingamajig" once lost its T).
        if (!IsoDateTime().IsMatch(raw))
        {
            return raw;
        }
        return raw.EndsWith("T00:00:00", StringComparison.Ordinal) ? raw[..^9] : raw.Replace('T', ' ');
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")]
    private static partial System.Text.RegularExpressions.Regex IsoDateTime();
}
