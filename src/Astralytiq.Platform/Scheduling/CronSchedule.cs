using Cronos;

namespace Astralytiq.Platform.Scheduling;

/// <summary>
/// Five-field cron expressions read in an IANA time zone (Cronos): the arithmetic and the checks every recurring
/// schedule shares (pipelines, reports, and later retraining, alerts, invoices).
/// </summary>
public static class CronSchedule
{
    /// <summary>The longest cron expression kept (the column's size; ranges and steps keep real schedules far shorter).</summary>
    public const int MaxLength = 100;

    /// <summary>The next time <paramref name="cron"/> fires after <paramref name="after"/> in <paramref name="timeZone"/> (UTC when null), as a UTC instant; null when it never does.</summary>
    /// <remarks>Stored in UTC: PostgreSQL keeps only UTC instants, and the scheduler's claim compares them exactly.</remarks>
    public static DateTimeOffset? NextRun(string cron, string? timeZone, DateTimeOffset after)
    {
        var expression = CronExpression.Parse(cron, CronFormat.Standard);
        var zone = timeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        return expression.GetNextOccurrence(after, zone)?.ToUniversalTime();
    }

    /// <summary>
    /// Checks a schedule as a user typed it and returns its next run after <paramref name="now"/>, or null with the problems
    /// added to <paramref name="errors"/> under <paramref name="cronField"/> and <paramref name="zoneField"/>.
    /// </summary>
    public static DateTimeOffset? Check(FieldErrors errors, string cronField, string zoneField, string? cron, string? timeZone, DateTimeOffset now,
        TimeSpan? minimumInterval = null)
    {
        var zoneKnown = timeZone is null || TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _);
        if (!zoneKnown)
        {
            // The cron is still checked (in UTC), so both mistakes are reported at once.
            errors.Add(zoneField, $"'{timeZone}' is not a time zone (use an IANA name such as Europe/Oslo)");
            timeZone = null;
        }
        if (string.IsNullOrWhiteSpace(cron))
        {
            errors.Add(cronField, "cron is required: five fields, minute hour day-of-month month day-of-week (e.g. 0 8 * * 1 for Mondays at 08:00)");
            return null;
        }
        if (cron.Length > MaxLength)
        {
            errors.Add(cronField, $"cron must be at most {MaxLength} characters (use ranges such as 1-5 or steps such as */15 instead of long lists)");
            return null;
        }
        DateTimeOffset? next;
        try
        {
            next = NextRun(cron, timeZone, now);
        }
        catch (CronFormatException ex)
        {
            errors.Add(cronField, "cron must have five fields (minute hour day-of-month month day-of-week), e.g. 0 6 * * 1-5: " + ex.Message);
            return null;
        }
        if (next is null)
        {
            errors.Add(cronField, "this schedule never fires");
            return null;
        }
        if (minimumInterval is { } least && NextRun(cron, timeZone, next.Value) is { } after && after - next.Value < least)
        {
            errors.Add(cronField, $"this schedule may fire at most every {Describe(least)}");
            return null;
        }
        return zoneKnown ? next : null;
    }

    private static string Describe(TimeSpan span) => span.TotalHours >= 1 && span.TotalHours % 1 == 0
        ? (span.TotalHours == 1 ? "hour" : $"{span.TotalHours:0} hours")
        : (span.TotalMinutes == 1 ? "minute" : $"{span.TotalMinutes:0} minutes");
}
