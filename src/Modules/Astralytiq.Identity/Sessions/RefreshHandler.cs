namespace Astralytiq.Identity.Sessions;

/// <summary>
/// Exchanges a refresh token for a new pair. Each refresh token works once: presenting a consumed one
/// means it was stolen or replayed, and the whole session (the token family) is revoked.
/// </summary>
internal sealed class RefreshHandler(
    IdentityDbContext db,
    ITenantContext tenantContext,
    ITenantDirectory tenants,
    SessionIssuer sessions,
    IAuditLog audit,
    TimeProvider time)
{
    private const string Invalid = "The refresh token is invalid, expired or revoked";

    public async Task<Result<AuthResponse>> HandleAsync(RefreshRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return ValidationError.For("refresh_token", "refresh_token is required");
        }
        using var system = tenantContext.BeginSystemScope();
        var hash = SecretToken.Hash(request.RefreshToken.Trim());
        var now = time.GetUtcNow();
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null)
        {
            return new UnauthorizedError(Invalid);
        }
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == token.SessionId, ct);
        var user = session is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Id == session.UserId, ct);
        if (session is null || user is null)
        {
            return new UnauthorizedError(Invalid);
        }

        // Consume atomically: of two racing exchanges of one token, exactly one wins.
        var consumed = token.ConsumedAt is null && await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.ConsumedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.ConsumedAt, now), ct) == 1;
        if (!consumed)
        {
            await sessions.RevokeSessionAsync(user.Id, session.Id, "refresh_token_reuse", ct);
            await audit.RecordAsync(new AuditRecord("session.refresh_reuse_detected", AuditOutcome.Denied, "session", session.Id.ToString())
            { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
            return new UnauthorizedError(Invalid);
        }
        if (session.RevokedAt is not null || token.ExpiresAt <= now || !user.IsActive
            || (user.Role != Role.Operator && !await tenants.IsActiveAsync(user.TenantId, ct)))
        {
            return new UnauthorizedError(Invalid);
        }
        var response = sessions.Continue(user, session);
        await db.SaveChangesAsync(ct);
        return response;
    }
}
