using Microsoft.Extensions.Caching.Hybrid;

namespace Astralytiq.Identity.Sessions;

/// <summary>Starts sessions, rotates their refresh tokens and ends them.</summary>
internal sealed class SessionIssuer(
    IdentityDbContext db,
    AccessTokenIssuer accessTokens,
    TokenSettings settings,
    HybridCache cache,
    IHttpContextAccessor http,
    TimeProvider time)
{
    /// <summary>Adds a new session with its first refresh token to the context (saved by the caller) and returns the tokens.</summary>
    public AuthResponse Start(User user)
    {
        var now = time.GetUtcNow();
        var request = http.HttpContext?.Request;
        var session = new Session
        {
            Id = Guid.CreateVersion7(now),
            TenantId = user.TenantId,
            UserId = user.Id,
            CreatedAt = now,
            ExpiresAt = now.AddDays(settings.RefreshTokenDays),
            IpAddress = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = request?.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 512)] : null,
        };
        db.Sessions.Add(session);
        return Continue(user, session);
    }

    /// <summary>Issues a fresh refresh token in the same session (added to the context) and a new access token.</summary>
    public AuthResponse Continue(User user, Session session)
    {
        var now = time.GetUtcNow();
        var refresh = SecretToken.New();
        var expires = session.ExpiresAt;
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            TenantId = user.TenantId,
            SessionId = session.Id,
            TokenHash = SecretToken.Hash(refresh),
            CreatedAt = now,
            ExpiresAt = expires,
        });
        var (access, expiresIn) = accessTokens.Issue(user, session.Id);
        return new AuthResponse(access, "Bearer", expiresIn, refresh, expires, user.ToResponse());
    }

    /// <summary>Revokes sessions of a user (all, or all but one) and drops their cached state at once.</summary>
    public async Task RevokeAsync(Guid userId, string reason, Guid? except, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.Sessions
            .Where(s => s.UserId == userId && s.RevokedAt == null && (except == null || s.Id != except))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), ct)
            .ConfigureAwait(false);
        await ForgetAsync(userId, ct).ConfigureAwait(false);
    }

    public async Task RevokeSessionAsync(Guid userId, Guid sessionId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), ct)
            .ConfigureAwait(false);
        await ForgetAsync(userId, ct).ConfigureAwait(false);
    }

    /// <summary>Drops cached session state of a user so the next request re-reads it (role, stamp, active).</summary>
    public ValueTask ForgetAsync(Guid userId, CancellationToken ct) => cache.RemoveByTagAsync(SessionValidator.UserTag(userId), ct);
}
