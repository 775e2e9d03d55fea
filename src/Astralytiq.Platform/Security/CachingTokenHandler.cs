using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Astralytiq.Platform.Security;

/// <summary>
/// Validates access tokens with <see cref="JsonWebTokenHandler"/> and remembers the ones that passed, so
/// a client repeating its token does not pay for an ECDSA verification on every request.
/// Only successes are kept, keyed by the exact token text; each hit re-checks the token's expiry against
/// the platform clock (with the same 30 s skew as a full validation); the session check
/// (<see cref="ISessionValidator"/>) still runs on every request, so revocation is unaffected.
/// </summary>
internal sealed class CachingTokenHandler : TokenHandler, IDisposable
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler inner = new() { MapInboundClaims = false };
    private readonly MemoryCache verified;
    private readonly TimeProvider time;

    public CachingTokenHandler(TimeProvider time, int capacity = 10_000)
    {
        this.time = time;
        verified = new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity });
    }

    private sealed record Verified(JsonWebToken Token, ClaimsIdentity Identity, DateTime ExpiresUtc, string? Issuer, string? TokenType);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (verified.TryGetValue(token, out Verified? hit) && hit is not null)
        {
            if (hit.ExpiresUtc > time.GetUtcNow().UtcDateTime - ClockSkew)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    SecurityToken = hit.Token,
                    // Each request gets its own identity: nothing one request adds can reach another.
                    ClaimsIdentity = hit.Identity.Clone(),
                    Issuer = hit.Issuer,
                    TokenType = hit.TokenType,
                };
            }
            verified.Remove(token);
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && jwt.ValidTo != DateTime.MinValue)
        {
            verified.Set(token, new Verified(jwt, result.ClaimsIdentity.Clone(), jwt.ValidTo, result.Issuer, result.TokenType),
                new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + ClockSkew });
        }
        return result;
    }

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    public void Dispose() => verified.Dispose();
}
