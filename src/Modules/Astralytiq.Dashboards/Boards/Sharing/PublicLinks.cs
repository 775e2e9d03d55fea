using System.Security.Cryptography;

namespace Astralytiq.Dashboards.Boards.Sharing;

/// <summary>
/// Public links: a random 256-bit token (kept only as its SHA-256), optional expiry and password (PBKDF2-SHA256,
/// salted), revocable. A link that is unknown, revoked or expired answers 404 — it never says which. A link shows its
/// dashboard read-only, as currently saved, with the same widget data as signed-in viewers (P38 holds for it too).
/// </summary>
internal sealed class PublicLinks(ITenantFeatureSwitches switches, DashboardsDbContext db, DashboardFinder finder, Widgets.WidgetData widgets, ITenantContext tenant, IAuditLog audit, TimeProvider time)
{
    private const int Iterations = 100_000;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var key = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Convert.ToBase64String(salt)}.{Convert.ToBase64String(key)}";
    }

    private static bool PasswordMatches(string stored, string? password)
    {
        if (password is null)
        {
            return false;
        }
        var parts = stored.Split('.');
        var key = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(parts[0]), Iterations, HashAlgorithmName.SHA256, 32);
        return CryptographicOperations.FixedTimeEquals(key, Convert.FromBase64String(parts[1]));
    }

    public async Task<Result<DashboardLinkCreatedResponse>> CreateAsync(Guid dashboardId, CreateDashboardLinkRequest request, CancellationToken ct)
    {
        var owned = await finder.RequireOwnerAsync(dashboardId, ct).ConfigureAwait(false);
        if (!owned.IsSuccess)
        {
            return owned.Error!;
        }
        var errors = new FieldErrors().MaxLength("label", request.Label, 200);
        if (request.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            errors.Add("expires_at", "expires_at must be in the future");
        }
        if (request.Password is { } password && (password.Length < 8 || password.Length > 200))
        {
            errors.Add("password", "a link password has 8 to 200 characters");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var link = new DashboardLink
        {
            Id = Guid.CreateVersion7(now), TenantId = tenant.TenantId!.Value, DashboardId = dashboardId, TokenHash = Hash(token), Label = request.Label,
            ExpiresAt = request.ExpiresAt, PasswordHash = request.Password is null ? null : HashPassword(request.Password), CreatedBy = tenant.UserId, CreatedAt = now,
        };
        db.Links.Add(link);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("dashboard.link_created", AuditOutcome.Success, "dashboard", dashboardId.ToString(), new Dictionary<string, string>
        {
            ["link"] = link.Id.ToString(), ["expires_at"] = link.ExpiresAt?.ToString("O") ?? "never", ["password"] = link.PasswordHash is null ? "no" : "yes",
        }), ct).ConfigureAwait(false);
        return new DashboardLinkCreatedResponse(link.Id, token, $"/public/dashboards/{token}", link.ExpiresAt, link.PasswordHash is not null);
    }

    public async Task<Result<IReadOnlyList<DashboardLinkDto>>> ListAsync(Guid dashboardId, CancellationToken ct)
    {
        var owned = await finder.RequireOwnerAsync(dashboardId, ct).ConfigureAwait(false);
        if (!owned.IsSuccess)
        {
            return owned.Error!;
        }
        var links = await db.Links.AsNoTracking().Where(l => l.DashboardId == dashboardId).OrderByDescending(l => l.CreatedAt).ToListAsync(ct).ConfigureAwait(false);
        return links.Select(l => new DashboardLinkDto(l.Id, l.Label, l.ExpiresAt, l.PasswordHash is not null, l.RevokedAt is not null, l.CreatedBy, l.CreatedAt, l.LastUsedAt)).ToList();
    }

    public async Task<Result<Unit>> RevokeAsync(Guid dashboardId, Guid linkId, CancellationToken ct)
    {
        var owned = await finder.RequireOwnerAsync(dashboardId, ct).ConfigureAwait(false);
        if (!owned.IsSuccess)
        {
            return owned.Error!;
        }
        var now = time.GetUtcNow();
        var revoked = await db.Links.Where(l => l.Id == linkId && l.DashboardId == dashboardId && l.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.RevokedAt, now), ct).ConfigureAwait(false);
        if (revoked == 0)
        {
            return new NotFoundError("Link");
        }
        await audit.RecordAsync(new AuditRecord("dashboard.link_revoked", AuditOutcome.Success, "dashboard", dashboardId.ToString(),
            new Dictionary<string, string> { ["link"] = linkId.ToString() }), ct).ConfigureAwait(false);
        return Unit.Value;
    }

    /// <summary>Resolves a token for an anonymous request and acts in its tenant; 404 unless live, 401 when the password is missing or wrong.</summary>
    private async Task<Result<(DashboardLink Link, IDisposable Scope)>> OpenAsync(string token, string? password, CancellationToken ct)
    {
        DashboardLink? link;
        using (tenant.BeginSystemScope())
        {
            var hash = Hash(token);
            link = await db.Links.AsNoTracking().SingleOrDefaultAsync(l => l.TokenHash == hash, ct).ConfigureAwait(false);
        }
        var now = time.GetUtcNow();
        if (link is null || link.RevokedAt is not null || (link.ExpiresAt is { } expires && expires <= now))
        {
            return new NotFoundError("Dashboard");
        }
        if (!await switches.IsOnAsync(link.TenantId, TenantFeatures.PublicSharing, ct).ConfigureAwait(false))
        {
            return TenantFeatures.Disabled(TenantFeatures.PublicSharing); // the organisation turned public links off: none opens
        }
        if (link.PasswordHash is { } stored && !PasswordMatches(stored, password))
        {
            return new UnauthorizedError(password is null ? "This link needs its password (X-Link-Password header)" : "The link password is wrong");
        }
        var scope = tenant.BeginTenantScope(link.TenantId);
        await db.Links.Where(l => l.Id == link.Id).ExecuteUpdateAsync(u => u.SetProperty(l => l.LastUsedAt, now), ct).ConfigureAwait(false);
        return (link, scope);
    }

    public async Task<Result<PublicDashboardResponse>> ViewAsync(string token, string? password, CancellationToken ct)
    {
        var opened = await OpenAsync(token, password, ct).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error!;
        }
        using var scope = opened.Value.Scope;
        var dashboard = await db.Dashboards.AsNoTracking().SingleOrDefaultAsync(d => d.Id == opened.Value.Link.DashboardId && d.DeletedAt == null, ct).ConfigureAwait(false);
        if (dashboard is null)
        {
            return new NotFoundError("Dashboard");
        }
        return new PublicDashboardResponse(dashboard.Name, dashboard.Description, dashboard.Version,
            JsonSerializer.Deserialize<DashboardDefinitionDto>(dashboard.DefinitionJson, ApiJson.Options)!);
    }

    public async Task<Result<WidgetDataResponse>> WidgetDataAsync(string token, string? password, string widgetId, IReadOnlyList<string> filters, CancellationToken ct, int? offset = null, int? limit = null)
    {
        var opened = await OpenAsync(token, password, ct).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error!;
        }
        using var scope = opened.Value.Scope;
        return await widgets.WidgetDataAsync(opened.Value.Link.DashboardId, widgetId, filters, ct, checkAccess: false, offset: offset, limit: limit).ConfigureAwait(false);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
