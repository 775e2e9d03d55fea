using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Astralytiq.Identity.Tokens;

/// <summary>Signs short-lived ES256 access tokens with the key ring's current key.</summary>
internal sealed class AccessTokenIssuer(KeyRing keyRing, TokenSettings settings, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public (string Token, int ExpiresInSeconds) Issue(User user, Guid sessionId)
    {
        var now = time.GetUtcNow();
        var lifetime = TimeSpan.FromMinutes(settings.AccessTokenMinutes);
        var key = keyRing.CurrentSigningKey;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.EcdsaSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                [TokenClaims.TenantId] = user.TenantId.ToString(),
                [TokenClaims.Role] = user.Role.ToString().ToLowerInvariant(),
                [TokenClaims.Email] = user.Email,
                [TokenClaims.SessionId] = sessionId.ToString(),
                [TokenClaims.SecurityStamp] = user.SecurityStamp,
            },
        };
        return (_handler.CreateToken(descriptor), (int)lifetime.TotalSeconds);
    }
}

internal static class Jwks
{
    /// <summary>The public halves of every key that still verifies, as a JWK set.</summary>
    public static Astralytiq.Contracts.Identity.JsonWebKeySet Document(KeyRing keyRing) => new(
        keyRing.VerificationKeys.Select(k =>
        {
            var p = k.Key.ECDsa.ExportParameters(includePrivateParameters: false);
            return (IReadOnlyDictionary<string, string>)new Dictionary<string, string>
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["use"] = "sig",
                ["alg"] = "ES256",
                ["kid"] = k.KeyId,
                ["x"] = Base64UrlEncoder.Encode(p.Q.X),
                ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            };
        }).ToList());
}
