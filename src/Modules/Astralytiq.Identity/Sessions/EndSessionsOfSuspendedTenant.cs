namespace Astralytiq.Identity.Sessions;

/// <summary>
/// A suspended tenant's users are signed out everywhere: their sessions are revoked (so access and
/// refresh tokens stop working) and cached session state is dropped. Runs in the tenant's scope;
/// repeating it changes nothing, as at-least-once delivery requires.
/// </summary>
internal sealed class EndSessionsOfSuspendedTenant(IdentityDbContext db, SessionIssuer sessions, TimeProvider time)
    : IIntegrationEventHandler<TenantSuspended>
{
    public async Task HandleAsync(TenantSuspended integrationEvent, Guid messageId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tenantId = integrationEvent.TenantId;
        var users = await db.Users.Where(u => u.TenantId == tenantId).Select(u => u.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        await db.Sessions
            .Where(s => s.TenantId == tenantId && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, "tenant_suspended"), cancellationToken)
            .ConfigureAwait(false);
        foreach (var user in users)
        {
            await sessions.ForgetAsync(user, cancellationToken).ConfigureAwait(false);
        }
    }
}
