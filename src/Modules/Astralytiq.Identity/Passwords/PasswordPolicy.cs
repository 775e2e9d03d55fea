using System.Collections.Frozen;
using System.Globalization;
using Astralytiq.Platform.Errors;

namespace Astralytiq.Identity.Passwords;

/// <summary>
/// R2's password rules: 10 to 128 characters, not one of the 30,000 most common passwords, and not
/// containing the email's local part. Each failure is reported on the field.
/// </summary>
internal static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    private static readonly Lazy<FrozenSet<string>> Common = new(LoadCommon);

    public static int CommonCount => Common.Value.Count;

    public static void Check(string field, string? password, string? email, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, $"{field} is required");
            return;
        }
        var length = new StringInfo(password).LengthInTextElements;
        if (length < MinLength)
        {
            errors.Add(field, $"{field} must be at least {MinLength} characters");
        }
        if (length > MaxLength)
        {
            errors.Add(field, $"{field} must be at most {MaxLength} characters");
        }
        if (IsCommon(password))
        {
            errors.Add(field, $"{field} is one of the most commonly used passwords; choose another");
        }
        var local = email?.Split('@')[0].Trim();
        if (local is { Length: >= 3 } && password.Contains(local, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(field, $"{field} must not contain the email address's name part");
        }
    }

    public static bool IsCommon(string password) => Common.Value.Contains(password.Trim());

    private static FrozenSet<string> LoadCommon()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Astralytiq.Identity.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line);
            }
        }
        return set.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
