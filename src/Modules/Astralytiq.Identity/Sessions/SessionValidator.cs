using Microsoft.Extensions.Caching.Hybrid;

namespace Astralytiq.Identity.Sessions;

/// <summary>
/// Checks on every request that the token's session is live, its user active and its security stamp
/// current. Results are cached briefly and dropped (by user tag) whenever any of them changes.
/// </summary>
internal sealed class SessionValidator(IServiceProvider services, ITenantContext tenant, HybridCache cache, TimeProvider time) : ISessionValidator
{
    private static readonly HybridCacheEntryOptions Entry = new()
    {
        Expiration = TimeSpan.FromSeconds(30),
        LocalCacheExpiration = TimeSpan.FromSeconds(30),
    };

    public static string UserTag(Guid userId) => "identity-user:" + userId.ToString("N");

    [System.ComponentModel.ImmutableObject(true)] // HybridCache hands out the cached instance instead of deserializing a copy per hit
    private sealed record CachedSession(Guid TenantId, Guid UserId, string Email, Astralytiq.Contracts.Identity.Role Role, string Stamp, DateTimeOffset ExpiresAt);

    public async ValueTask<SessionState?> ValidateAsync(Guid userId, Guid sessionId, string securityStamp, CancellationToken cancellationToken)
    {
        Astralytiq.Platform.Telemetry.CacheMetrics.Lookup("session");
        var cached = await cache.GetOrCreateAsync(
            "identity-session:" + sessionId.ToString("N"),
            (sessionId, userId),
            async (key, ct) => await LoadAsync(key.sessionId, key.userId, ct).ConfigureAwait(false),
            Entry,
            [UserTag(userId)],
            cancellationToken).ConfigureAwait(false);
        if (cached is null || cached.UserId != userId || !string.Equals(cached.Stamp, securityStamp, StringComparison.Ordinal)
            || cached.ExpiresAt <= time.GetUtcNow())
        {
            return null;
        }
        return new SessionState(cached.TenantId, cached.UserId, cached.Email, cached.Role);
    }

    private async Task<CachedSession?> LoadAsync(Guid sessionId, Guid userId, CancellationToken ct)
    {
        // Resolved on a cache miss only: a cached request never builds the identity DbContext for this check.
        Astralytiq.Platform.Telemetry.CacheMetrics.Miss("session");
        var db = services.GetRequiredService<IdentityDbContext>();
        using var system = tenant.BeginSystemScope();
        var row = await (from s in db.Sessions.AsNoTracking()
                         join u in db.Users.AsNoTracking() on s.UserId equals u.Id
                         where s.Id == sessionId && s.UserId == userId && s.RevokedAt == null && u.IsActive
                         select new CachedSession(u.TenantId, u.Id, u.Email, u.Role, u.SecurityStamp, s.ExpiresAt))
            .SingleOrDefaultAsync(ct).ConfigureAwait(false);
        // A suspended tenant's sessions are revoked by an event; this covers the moments before it is handled.
        if (row is not null && row.Role != Astralytiq.Contracts.Identity.Role.Operator
            && !await services.GetRequiredService<ITenantDirectory>().IsActiveAsync(row.TenantId, ct).ConfigureAwait(false))
        {
            return null;
        }
        return row;
    }
}
