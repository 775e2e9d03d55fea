using System.Collections.Frozen;
using System.Globalization;

namespace Astralytiq.Identity.Passwords;

/// <summary>
/// R2's password rules, after NIST SP 800-63B: 10 to 128 characters; not one of the 30,000 most common
/// passwords; not one character or a short pattern repeated ("aaaaaaaaaaaa", "passwordpassword"); not a
/// run of consecutive characters ("123456789012"); not containing the email's local part, the person's name
/// or the organisation's; and hard enough to guess by a strength estimator (zxcvbn, with those words as
/// the user's own, score at least <see cref="MinScore"/>). Each failure is reported on the field.
/// </summary>
internal static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    /// <summary>zxcvbn's score (0 to 4) a password must reach: 3 is "safely unguessable: moderate protection from offline attack".</summary>
    public const int MinScore = 3;

    /// <summary>The estimator's cost grows with length; a strong prefix makes a strong password.</summary>
    private const int EstimatedPrefix = 64;

    private static readonly Lazy<FrozenSet<string>> Common = new(LoadCommon);

    public static int CommonCount => Common.Value.Count;

    public static void Check(string field, string? password, string? email, FieldErrors errors, params string?[] personal)
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
        if (length < MinLength || length > MaxLength || IsCommon(password))
        {
            return;
        }
        var words = personal.Where(w => !string.IsNullOrWhiteSpace(w)).Select(w => w!.Trim()).ToList();
        if (IsRepeated(password))
        {
            errors.Add(field, $"{field} must not be one character or a short pattern repeated");
        }
        else if (IsSequence(password))
        {
            errors.Add(field, $"{field} must not be a run of consecutive characters such as 123456 or abcdef");
        }
        else if (words.SelectMany(Parts).FirstOrDefault(w => password.Contains(w, StringComparison.OrdinalIgnoreCase)) is not null)
        {
            errors.Add(field, $"{field} must not contain your name or your organisation's name");
        }
        else if (Score(password, [.. words, .. words.SelectMany(Parts), local ?? string.Empty, DomainLabel(email)]) < MinScore)
        {
            errors.Add(field, $"{field} is too easy to guess (common words, names, dates, keyboard patterns or simple substitutions); use a longer phrase of unrelated words");
        }
    }

    /// <summary>The strength estimator's score, 0 (guessed at once) to 4, with the person's own words counted as known.</summary>
    public static int Score(string password, IEnumerable<string> personal) =>
        Estimator.EvaluatePassword(password.Length > EstimatedPrefix ? password[..EstimatedPrefix] : password, personal.Where(w => w.Length > 0)).Score;

    /// <summary>
    /// One estimator for the process: the library's static entry point builds a new one, and loads its five word
    /// lists again, on every call (15 ms); a kept one builds only the user's own words per call (under 1 ms, the same
    /// scores). Its matchers hold no state between calls, so requests share it.
    /// </summary>
    private static readonly Zxcvbn.Zxcvbn Estimator = new(default(Zxcvbn.Translation));

    /// <summary>True when the whole password is some shorter block repeated (with at most a partial block at the end).</summary>
    internal static bool IsRepeated(string password)
    {
        var p = password.ToLowerInvariant();
        for (var period = 1; period <= p.Length / 2; period++)
        {
            var repeats = true;
            for (var i = period; i < p.Length && repeats; i++)
            {
                repeats = p[i] == p[i - period];
            }
            if (repeats)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when every character follows the one before by the same step of +1 or -1 (digits wrap 9 to 0).</summary>
    internal static bool IsSequence(string password)
    {
        var p = password.ToLowerInvariant();
        int Step(int i) => char.IsAsciiDigit(p[i]) && char.IsAsciiDigit(p[i - 1]) ? ((p[i] - p[i - 1]) + 10) % 10 is 1 ? 1 : ((p[i] - p[i - 1]) + 10) % 10 is 9 ? -1 : 0 : p[i] - p[i - 1];
        var step = Step(1);
        if (step is not (1 or -1))
        {
            return false;
        }
        for (var i = 2; i < p.Length; i++)
        {
            if (Step(i) != step)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The first label of the email's domain ("acme" of alice@acme.com), a word the person is known by.</summary>
    private static string DomainLabel(string? email) =>
        email?.Split('@') is [_, var domain] && domain.Split('.')[0].Trim() is { Length: >= 3 } label ? label : string.Empty;

    /// <summary>A name and its words of four letters or more ("Acme Corp" gives "Acme Corp" and "Acme").</summary>
    private static IEnumerable<string> Parts(string words) =>
        words.Split([' ', '-', '_', '.', ',', '@'], StringSplitOptions.RemoveEmptyEntries).Append(words).Where(w => w.Length >= 4).Distinct(StringComparer.OrdinalIgnoreCase);

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
