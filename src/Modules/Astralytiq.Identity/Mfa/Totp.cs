using OtpNet;
using QRCoder;

namespace Astralytiq.Identity.Mfa;

/// <summary>
/// RFC 6238 time-based codes (SHA-1, 6 digits, 30 s; what every authenticator app speaks) via Otp.NET.
/// Secrets are 160 random bits, sealed with the master key and bound to the user's id. A code is
/// accepted one step either side of now for clock drift, and never for a step at or before the last
/// accepted one, so an intercepted code cannot be replayed.
/// </summary>
internal sealed class TotpSecrets(SecretProtector protector)
{
    public const string Issuer = "Astralytiq";

    public (string Base32, string Sealed) NewSecret(Guid userId)
    {
        var secret = KeyGeneration.GenerateRandomKey(20);
        return (Base32Encoding.ToString(secret), protector.Protect(secret, userId.ToByteArray()));
    }

    public byte[] Open(string sealedSecret, Guid userId) => protector.Unprotect(sealedSecret, userId.ToByteArray());

    /// <summary>The matched time step when <paramref name="code"/> is valid now and newer than <paramref name="lastStep"/>.</summary>
    public static long? Verify(byte[] secret, string? code, long lastStep, DateTimeOffset now)
    {
        var digits = code?.Replace(" ", string.Empty, StringComparison.Ordinal).Trim();
        if (digits is not { Length: 6 } || !digits.All(char.IsAsciiDigit))
        {
            return null;
        }
        var totp = new Totp(secret);
        return totp.VerifyTotp(now.UtcDateTime, digits, out var step, new VerificationWindow(previous: 1, future: 1)) && step > lastStep
            ? step
            : null;
    }

    public static string OtpauthUri(string base32, string email) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={base32}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    public static string QrSvg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(4);
    }
}

/// <summary>Ten single-use recovery codes like <c>k3f9x-q2m7d</c>; only their SHA-256 is stored.</summary>
internal static class RecoveryCodes
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    public const int Count = 10;

    public static string New()
    {
        Span<char> chars = stackalloc char[11];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = i == 5 ? '-' : Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        return new string(chars);
    }

    public static string Normalize(string code) => code.Trim().ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);

    public static string Hash(string code) => SecretToken.Hash(Normalize(code));

    public static List<(string Code, RecoveryCode Row)> Issue(User user, DateTimeOffset now) =>
        Enumerable.Range(0, Count).Select(_ =>
        {
            var code = New();
            return (code, new RecoveryCode { Id = Guid.CreateVersion7(now), TenantId = user.TenantId, UserId = user.Id, CodeHash = Hash(code), CreatedAt = now });
        }).ToList();
}
