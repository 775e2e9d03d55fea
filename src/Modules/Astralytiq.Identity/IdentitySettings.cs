namespace Astralytiq.Identity;

/// <summary><c>Astralytiq:Identity</c> settings.</summary>
internal sealed class IdentitySettings
{
    public int LockoutThreshold { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    public int PasswordResetMinutes { get; set; } = 30;

    public int InvitationDays { get; set; } = 7;

    /// <summary>PBKDF2-HMAC-SHA512 iterations for password hashes (ASP.NET Core Identity's default).</summary>
    public int PasswordHashIterations { get; set; } = 100_000;
}
