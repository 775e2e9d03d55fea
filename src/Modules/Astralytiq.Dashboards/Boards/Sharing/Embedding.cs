using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Astralytiq.Dashboards.Boards.Sharing;

/// <summary>A tenant's embedding secret (sealed with the tenant key): it signs the tokens the tenant's own server makes.</summary>
internal sealed class EmbeddingKey : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string SealedSecret { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Signed embedding (ADR 0019): the tenant's server signs a short-lived JWT (HS256, its embedding secret) naming a
/// dashboard that was enabled for embedding, the tenant, and values for the dashboard's locked filters; the iframe at
/// <c>/embed/dashboards/{token}</c> shows that dashboard read-only with those filters fixed. Disabling embedding on the
/// dashboard or rotating the secret refuses every token from the next request.
/// </summary>
internal sealed class Embedding(ITenantFeatureSwitches switches, DashboardsDbContext db, DashboardFinder finder, Widgets.WidgetData widgets, ITenantContext tenant, TenantEncryptor encryptor, IAuditLog audit, TimeProvider time)
{
    public const int MaxLifetimeDays = 30;
    private const string Purpose = "dashboard-embedding-secret";

    public async Task<Result<EmbeddingSecretResponse>> RotateSecretAsync(CancellationToken ct)
    {
        if (tenant.Role != Role.Admin)
        {
            return new ForbiddenError("Only an admin may make or rotate the embedding secret");
        }
        var tenantId = tenant.TenantId!.Value;
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        await db.EmbeddingKeys.Where(k => k.TenantId == tenantId).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        db.EmbeddingKeys.Add(new EmbeddingKey { Id = Guid.CreateVersion7(now), TenantId = tenantId, SealedSecret = await encryptor.ProtectStringAsync(tenantId, secret, Purpose, ct).ConfigureAwait(false), CreatedAt = now });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("dashboard.embedding_secret_rotated", AuditOutcome.Success, "tenant", tenantId.ToString()), ct).ConfigureAwait(false);
        return new EmbeddingSecretResponse(secret, tenantId, now);
    }

    public async Task<Result<DashboardEmbeddingDto>> ConfigureAsync(Guid dashboardId, DashboardEmbeddingRequest request, CancellationToken ct)
    {
        var owned = await finder.RequireOwnerAsync(dashboardId, ct).ConfigureAwait(false);
        if (!owned.IsSuccess)
        {
            return owned.Error!;
        }
        var dashboard = await db.Dashboards.SingleAsync(d => d.Id == dashboardId, ct).ConfigureAwait(false);
        var definition = JsonSerializer.Deserialize<DashboardDefinitionDto>(dashboard.DefinitionJson, ApiJson.Options)!;
        var locked = (request.LockedFilters ?? []).Distinct().ToList();
        var errors = new FieldErrors();
        foreach (var (id, i) in locked.Select((id, i) => (id, i)))
        {
            if ((definition.Filters ?? []).All(f => f.Id != id))
            {
                errors.Add($"locked_filters[{i}]", $"'{id}' is not one of the dashboard's filters ({string.Join(", ", (definition.Filters ?? []).Select(f => f.Id))})");
            }
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        dashboard.EmbedEnabled = request.Enabled;
        dashboard.EmbedLockedFiltersJson = JsonSerializer.Serialize(locked, ApiJson.Options);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord(request.Enabled ? "dashboard.embedding_enabled" : "dashboard.embedding_disabled", AuditOutcome.Success, "dashboard", dashboardId.ToString(),
            new Dictionary<string, string> { ["locked_filters"] = string.Join(",", locked) }), ct).ConfigureAwait(false);
        var hasSecret = await db.EmbeddingKeys.AnyAsync(ct).ConfigureAwait(false);
        return new DashboardEmbeddingDto(dashboardId, dashboard.EmbedEnabled, locked, hasSecret);
    }

    private sealed record Opened(Dashboard Dashboard, IReadOnlyDictionary<string, string> Locked, IDisposable Scope);

    /// <summary>Checks a token: signature with the tenant's secret (HS256 only), expiry (required, at most 30 days ahead), the dashboard enabled, every locked filter given.</summary>
    private async Task<Result<Opened>> OpenAsync(string token, CancellationToken ct)
    {
        var invalid = new UnauthorizedError("The embedding token is invalid or has expired");
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        if (token.Length > 8192 || !handler.CanReadToken(token))
        {
            return invalid;
        }
        var unverified = handler.ReadJsonWebToken(token);
        if (!Guid.TryParse(unverified.Claims.FirstOrDefault(c => c.Type == "tenant")?.Value, out var tenantId))
        {
            return invalid;
        }
        EmbeddingKey? key;
        using (tenant.BeginSystemScope())
        {
            key = await db.EmbeddingKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TenantId == tenantId, ct).ConfigureAwait(false);
        }
        if (key is null)
        {
            return invalid;
        }
        var secret = await encryptor.UnprotectStringAsync(tenantId, key.SealedSecret, Purpose, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Convert.FromHexString(secret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) => expires is { } e && e > now.UtcDateTime.AddSeconds(-30) && e <= now.UtcDateTime.AddDays(MaxLifetimeDays)
                && (notBefore is null || notBefore <= now.UtcDateTime.AddSeconds(30)),
        }).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken verified)
        {
            return invalid;
        }
        // Only a token the tenant signed learns that its organisation turned embedding off.
        if (!await switches.IsOnAsync(tenantId, TenantFeatures.PublicSharing, ct).ConfigureAwait(false))
        {
            return TenantFeatures.Disabled(TenantFeatures.PublicSharing);
        }
        if (!verified.TryGetPayloadValue<JsonElement>("resource", out var resource) || resource.ValueKind != JsonValueKind.Object
            || !resource.TryGetProperty("dashboard", out var dashboardClaim) || !Guid.TryParse(dashboardClaim.GetString(), out var dashboardId))
        {
            return invalid;
        }
        var parameters = new Dictionary<string, string>();
        if (verified.TryGetPayloadValue<JsonElement>("params", out var given) && given.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in given.EnumerateObject())
            {
                parameters[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }
        var scope = tenant.BeginTenantScope(tenantId);
        var dashboard = await db.Dashboards.AsNoTracking().SingleOrDefaultAsync(d => d.Id == dashboardId && d.DeletedAt == null && d.EmbedEnabled, ct).ConfigureAwait(false);
        if (dashboard is null)
        {
            scope.Dispose();
            return new NotFoundError("Dashboard");
        }
        var locked = JsonSerializer.Deserialize<List<string>>(dashboard.EmbedLockedFiltersJson ?? "[]", ApiJson.Options) ?? [];
        if (locked.FirstOrDefault(id => !parameters.ContainsKey(id)) is { } missing)
        {
            scope.Dispose();
            return new UnauthorizedError($"The embedding token must set the locked filter '{missing}'");
        }
        return new Opened(dashboard, locked.ToDictionary(id => id, id => parameters[id]), scope);
    }

    public async Task<Result<EmbeddedDashboardResponse>> ViewAsync(string token, CancellationToken ct)
    {
        var opened = await OpenAsync(token, ct).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error!;
        }
        using var scope = opened.Value.Scope;
        var d = opened.Value.Dashboard;
        return new EmbeddedDashboardResponse(d.Name, d.Description, d.Version, JsonSerializer.Deserialize<DashboardDefinitionDto>(d.DefinitionJson, ApiJson.Options)!, opened.Value.Locked);
    }

    public async Task<Result<WidgetDataResponse>> WidgetDataAsync(string token, string widgetId, IReadOnlyList<string> filters, int? offset, int? limit, CancellationToken ct)
    {
        var opened = await OpenAsync(token, ct).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error!;
        }
        using var scope = opened.Value.Scope;
        var locked = opened.Value.Locked;
        if (filters.FirstOrDefault(f => locked.Keys.Any(id => f.StartsWith(id + ":", StringComparison.Ordinal))) is { } overriding)
        {
            return ValidationError.For("filter", $"'{overriding}' sets a filter the embedding token locks");
        }
        var all = filters.Concat(locked.Select(l => $"{l.Key}:{l.Value}")).ToList();
        return await widgets.WidgetDataAsync(opened.Value.Dashboard.Id, widgetId, all, ct, checkAccess: false, offset: offset, limit: limit).ConfigureAwait(false);
    }
}
