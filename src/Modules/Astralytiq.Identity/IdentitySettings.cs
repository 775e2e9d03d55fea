using System.ComponentModel.DataAnnotations;
namespace Astralytiq.Identity;

/// <summary><c>Astralytiq:Identity</c> settings.</summary>
internal sealed class IdentitySettings
{
    [Range(1, int.MaxValue)]
    public int LockoutThreshold { get; set; } = 5;

    [Range(1, 525_600)]

    public int LockoutMinutes { get; set; } = 15;

    [Range(1, 10_080)]

    public int PasswordResetMinutes { get; set; } = 30;

    [Range(1, 365)]

    public int InvitationDays { get; set; } = 7;

    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations for password hashes: OWASP's 2023 recommendation (ASP.NET Core
    /// Identity's default is 100,000). Hashes made with fewer are upgraded at the next sign-in.
    /// </summary>
    [Range(1000, 100_000_000)]
    public int PasswordHashIterations { get; set; } = 210_000;
}
