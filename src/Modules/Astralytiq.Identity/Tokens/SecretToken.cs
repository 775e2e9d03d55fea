using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Astralytiq.Identity.Tokens;

/// <summary>High-entropy opaque tokens (refresh, reset, invitation, API key secrets): 256 random bits, stored only as SHA-256.</summary>
internal static class SecretToken
{
    public static string New() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool HashEquals(string token, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(expectedHash));
}
