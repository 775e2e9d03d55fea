namespace Astralytiq.Dashboards.Reports;

/// <summary>Unsubscribing through the link in a report email (no sign-in: the token is the proof).</summary>
internal sealed class ReportUnsubscribes(DashboardsDbContext db, ITenantContext tenant, SecretProtector protector, IAuditLog audit, TimeProvider time)
{
    public async Task<Result<UnsubscribeResponse>> UnsubscribeAsync(string? token, CancellationToken ct)
    {
        if (ReadUnsubscribeToken(protector, token) is not { } read)
        {
            return new NotFoundError("Report subscription");
        }
        using var scope = tenant.BeginTenantScope(read.TenantId);
        var report = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == read.ReportId && r.DeletedAt == null, ct).ConfigureAwait(false);
        if (report is null)
        {
            return new NotFoundError("Report subscription");
        }
        if (!await db.ReportUnsubscribes.AnyAsync(u => u.ReportId == report.Id && u.Email == read.Email, ct).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            db.ReportUnsubscribes.Add(new ReportUnsubscribe { Id = Guid.CreateVersion7(now), TenantId = read.TenantId, ReportId = report.Id, Email = read.Email, CreatedAt = now });
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Two clicks at once: the unique index kept one row, which is what both asked for.
                db.ChangeTracker.Clear();
            }
            await audit.RecordAsync(new AuditRecord("report.unsubscribed", AuditOutcome.Success, "report", report.Id.ToString(),
                new Dictionary<string, string> { ["email"] = read.Email }), ct).ConfigureAwait(false);
        }
        return new UnsubscribeResponse(report.Name, read.Email);
    }

    /// <summary>
    /// The unsubscribe token in a report email: the tenant, report and address, sealed with the platform's master key, so it
    /// cannot be made or changed by anyone else and needs nothing stored per email.
    /// </summary>
    public static string UnsubscribeToken(SecretProtector protector, Guid tenantId, Guid reportId, string email) =>
        protector.SealForLink($"{tenantId:N}|{reportId:N}|{email.ToLowerInvariant()}", "report-unsubscribe"u8);

    /// <summary>The tenant, report and address of a token; null for one that was cut, changed or made up (the same answer as an unknown report).</summary>
    public static (Guid TenantId, Guid ReportId, string Email)? ReadUnsubscribeToken(SecretProtector protector, string? token)
    {
        var parts = protector.OpenFromLink(token, "report-unsubscribe"u8)?.Split('|');
        return parts is { Length: 3 } && Guid.TryParseExact(parts[0], "N", out var tenantId) && Guid.TryParseExact(parts[1], "N", out var reportId)
            ? (tenantId, reportId, parts[2])
            : null;
    }
}
