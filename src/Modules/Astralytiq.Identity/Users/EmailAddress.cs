using System.Globalization;
using System.Net.Mail;

namespace Astralytiq.Identity.Users;

internal static class EmailAddress
{
    public const int MaxLength = 254;

    private static readonly IdnMapping Idn = new();

    /// <summary>Trims, lower-cases and converts an internationalized domain to ASCII; null when the syntax is wrong.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }
        var value = input.Trim();
        if (value.Length > MaxLength || value.Any(char.IsWhiteSpace) || value.Count(c => c == '@') != 1)
        {
            return null;
        }
        var at = value.IndexOf('@', StringComparison.Ordinal);
        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local.Length is 0 or > 64 || domain.Length < 3 || !domain.Contains('.', StringComparison.Ordinal)
            || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal)
            || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            domain = Idn.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (!domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') || domain.Split('.').Any(l => l.Length == 0 || l.StartsWith('-') || l.EndsWith('-')))
        {
            return null;
        }
        var normalized = (local + "@" + domain).ToLowerInvariant();
        return MailAddress.TryCreate(normalized, out var parsed) && parsed.Address == normalized ? normalized : null;
    }
}
