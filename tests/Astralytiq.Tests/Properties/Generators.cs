using Astralytiq.Contracts.Identity;
using Astralytiq.Identity.Passwords;
using FsCheck;
using FsCheck.Fluent;

namespace Astralytiq.Tests.Properties;

/// <summary>An input with the verdict the specification gives it, so the test's oracle is independent of the code under test.</summary>
public sealed record Labeled(string Value, bool Valid, string Kind)
{
    public override string ToString() => $"{Kind}: '{(Value.Length > 40 ? Value[..40] + "…" : Value)}' ({(Valid ? "valid" : "invalid")})";
}

public static class Generators
{
    private static readonly char[] Lower = "abcdefghijklmnopqrstuvwxyz".ToCharArray();
    private static readonly char[] Alnum = "abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray();
    private static readonly char[] Printable = Enumerable.Range(33, 94).Select(i => (char)i).Concat("äöüßéçñ漢字 ").ToArray();

    public static Gen<string> Word(int min, int max, char[]? alphabet = null) =>
        Gen.Choose(min, max).SelectMany(n => Gen.Elements(alphabet ?? Lower).ArrayOf(n)).Select(cs => new string(cs));

    /// <summary>Emails labelled valid or invalid by construction; valid ones are unique.</summary>
    public static Gen<Labeled> Emails() => Gen.OneOf(
        from local in Word(1, 12, Alnum)
        from domain in Word(2, 10)
        from tld in Gen.Elements("com", "org", "io", "de")
        select new Labeled($"{local}.{Guid.NewGuid().ToString("N")[..10]}@{domain}.{tld}", true, "well-formed"),
        from local in Word(1, 12, Alnum)
        from domain in Word(2, 10)
        select new Labeled($"  {local.ToUpperInvariant()}{Guid.NewGuid().ToString("N")[..10]}@{domain.ToUpperInvariant()}.COM ", true, "case-and-space"),
        Word(1, 20, Alnum).Select(w => new Labeled(w, false, "no-at")),
        Word(1, 10).Select(w => new Labeled($"{w}@{w}", false, "no-dot-domain")),
        Word(1, 10).Select(w => new Labeled($"@{w}.com", false, "no-local")),
        Word(1, 10).Select(w => new Labeled($"{w}@@{w}.com", false, "double-at")),
        Word(1, 10).Select(w => new Labeled($"{w} {w}@{w}.com", false, "space")),
        Word(1, 10).Select(w => new Labeled($"{w}..{w}@{w}.com", false, "double-dot")),
        Word(1, 10).Select(w => new Labeled($"{w}@-{w}.com", false, "hyphen-label")),
        Gen.Constant(new Labeled(new string('a', 250) + "@x.com", false, "too-long")),
        Gen.Constant(new Labeled("", false, "empty")));

    /// <summary>
    /// Passwords labelled by R2's rules, given the email whose local part they must not contain. Random ones are
    /// labelled valid only when the strength estimator agrees (a random string can spell a word or a keyboard run);
    /// repeated patterns and runs of consecutive characters are invalid by construction, whatever the estimator says.
    /// </summary>
    public static Gen<Labeled> Passwords(string local) => Gen.OneOf(
        Word(10, 40, Printable).Where(p => !PasswordPolicy.IsCommon(p) && !Contains(p, local) && PasswordPolicy.Score(p, [local]) >= PasswordPolicy.MinScore)
            .Select(p => new Labeled(p, true, "random-ok")),
        from block in Word(1, 5, Alnum)
        from times in Gen.Choose(3, 12)
        let repeated = string.Concat(Enumerable.Repeat(block, Math.Max(times, (10 / block.Length) + 1)))
        where repeated.Length <= 128
        select new Labeled(repeated, false, "repeated-pattern"),
        from start in Gen.Choose(0, 15)
        from length in Gen.Choose(10, 26)
        from down in Gen.Elements(true, false)
        let run = new string(Enumerable.Range(0, length).Select(i => (char)('a' + (down ? 25 - ((start + i) % 26) : (start + i) % 26))).ToArray())
        where !run.Contains("za", StringComparison.Ordinal) && !run.Contains("az", StringComparison.Ordinal)
        select new Labeled(run, false, "consecutive-run"),
        Word(0, 9, Printable).Select(p => new Labeled(p, false, "too-short")),
        Word(129, 140, Alnum).Select(p => new Labeled(p, false, "too-long")),
        Gen.Elements(CommonLongPasswords).Select(p => new Labeled(p, false, "common")),
        Word(6, 8, Alnum).Select(p => new Labeled(p + local + "!Q9x", local.Length < 3, "contains-local-part")));

    private static bool Contains(string password, string local) =>
        local.Length >= 3 && password.Contains(local, StringComparison.OrdinalIgnoreCase);

    private static readonly string[] CommonLongPasswords =
        ["qwertyuiop", "1234567890", "q1w2e3r4t5", "1q2w3e4r5t", "password123", "iloveyou12", "qwerty1234", "football123"];

    public static Gen<Role> TenantRoles() => Gen.Elements(Role.Admin, Role.Analyst, Role.Viewer);
}
