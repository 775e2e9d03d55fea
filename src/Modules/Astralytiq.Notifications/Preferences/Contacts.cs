using System.Text.RegularExpressions;

namespace Astralytiq.Notifications.Preferences;

/// <summary>
/// How one user can be reached beyond the app: the number text messages go to, and whether their emails come one by one
/// or in a digest. A digest is a schedule of the shared schedule service (hourly on the hour, or daily at 08:00 in the
/// organisation's time zone), so only people who chose one have a due row.
/// </summary>
internal sealed class NotificationContact : IRecurring
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>E.164 (<c>+4915112345678</c>); null: no text messages.</summary>
    public string? SmsNumber { get; set; }

    /// <summary><see cref="DigestModes"/>.</summary>
    public string EmailDigest { get; set; } = DigestModes.Off;

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid? CreatedBy => UserId;

    public string? Cron { get; set; }

    public string? TimeZone { get; set; }

    public DateTimeOffset? NextRunAt { get; set; }

    /// <summary>Sets the digest mode and the schedule that sends it.</summary>
    public void SetDigest(string mode, string? timeZone, DateTimeOffset now)
    {
        EmailDigest = mode;
        (Cron, TimeZone) = mode switch
        {
            DigestModes.Hourly => ("0 * * * *", null),
            DigestModes.Daily => ("0 8 * * *", timeZone),
            _ => ((string?)null, (string?)null),
        };
        NextRunAt = Cron is null ? null : CronSchedule.NextRun(Cron, TimeZone, now);
    }
}

internal static class DigestModes
{
    public const string Off = "off";
    public const string Hourly = "hourly";
    public const string Daily = "daily";

    public static readonly IReadOnlyList<string> All = [Off, Hourly, Daily];
}

internal static partial class PhoneNumbers
{
    /// <summary>E.164: a plus, a country code that does not start with 0, at most 15 digits in all.</summary>
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    /// <summary>The number in E.164 with spaces, dashes, dots and brackets taken out, or null when it is not one.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var compact = new string([.. text.Where(c => c is not (' ' or '-' or '.' or '(' or ')'))]);
        if (compact.StartsWith("00", StringComparison.Ordinal))
        {
            compact = "+" + compact[2..];
        }
        return E164().IsMatch(compact) ? compact : null;
    }

    /// <summary>For logs and lists: the country code and the last two digits only.</summary>
    public static string Masked(string number) => number.Length <= 5 ? "+***" : number[..3] + new string('•', number.Length - 5) + number[^2..];
}
