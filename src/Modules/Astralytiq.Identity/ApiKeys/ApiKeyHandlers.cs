namespace Astralytiq.Identity.ApiKeys;

/// <summary>
/// API keys for machine clients: <c>aqk_{prefix}_{secret}</c>. The prefix finds the key; only the SHA-256
/// of the whole key is stored. A key acts as its owner, narrowed to its scopes, and is shown once.
/// </summary>
internal sealed class ApiKeyHandlers(IdentityDbContext db, ITenantContext tenantContext, IAuditLog audit, TimeProvider time)
{
    public const string KeyPrefix = "aqk_";

    public async Task<Result<CreatedApiKeyResponse>> CreateAsync(CreateApiKeyRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("name", request.Name).MaxLength("name", request.Name, 100);
        var role = tenantContext.Role!.Value;
        var scopes = (request.Scopes ?? []).Select(s => s?.Trim() ?? string.Empty).Distinct(StringComparer.Ordinal).ToList();
        if (scopes.Count == 0)
        {
            errors.Add("scopes", "at least one scope is required, e.g. datasets:read");
        }
        foreach (var scope in scopes)
        {
            if (!PermissionMatrix.TryParseScope(scope, out var permission))
            {
                errors.Add("scopes", $"'{scope}' is not a known scope");
            }
            else if (!PermissionMatrix.Allows(role, permission))
            {
                errors.Add("scopes", $"your role cannot grant '{scope}'");
            }
        }
        var now = time.GetUtcNow();
        if (request.ExpiresAt is { } expires && expires <= now)
        {
            errors.Add("expires_at", "expires_at must be in the future");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var prefix = SecretToken.New()[..12].Replace('-', 'x').Replace('_', 'y');
        var key = $"{KeyPrefix}{prefix}_{SecretToken.New()}";
        var entity = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            UserId = tenantContext.UserId!.Value,
            Name = request.Name!.Trim(),
            Prefix = prefix,
            KeyHash = SecretToken.Hash(key),
            Scopes = string.Join(' ', scopes.Order(StringComparer.Ordinal)),
            CreatedAt = now,
            ExpiresAt = request.ExpiresAt,
        };
        db.ApiKeys.Add(entity);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("api_key.created", AuditOutcome.Success, "api_key", entity.Id.ToString(),
            new Dictionary<string, string> { ["name"] = entity.Name, ["scopes"] = entity.Scopes }), ct);
        return new CreatedApiKeyResponse(entity.ToResponse(), key);
    }

    /// <summary>The caller's own keys; Admins see every key of the tenant.</summary>
    public async Task<Result<IReadOnlyList<ApiKeyResponse>>> ListAsync(CancellationToken ct)
    {
        var query = db.ApiKeys.AsNoTracking();
        if (tenantContext.Role != Role.Admin)
        {
            query = query.Where(k => k.UserId == tenantContext.UserId);
        }
        var keys = await query.OrderByDescending(k => k.CreatedAt).Take(500).ToListAsync(ct);
        return keys.Select(k => k.ToResponse()).ToList();
    }

    public async Task<Result<Unit>> RevokeAsync(Guid id, CancellationToken ct)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null || (key.UserId != tenantContext.UserId && tenantContext.Role != Role.Admin))
        {
            return new NotFoundError("API key");
        }
        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("api_key.revoked", AuditOutcome.Success, "api_key", key.Id.ToString()), ct);
        return Unit.Value;
    }

    /// <summary>Finds the live key and its active owner; null for anything else.</summary>
    internal async Task<(ApiKey Key, User Owner)?> AuthenticateAsync(string presented, CancellationToken ct)
    {
        if (!presented.StartsWith(KeyPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }
        var rest = presented[KeyPrefix.Length..];
        var split = rest.IndexOf('_', StringComparison.Ordinal);
        if (split <= 0)
        {
            return null;
        }
        var prefix = rest[..split];
        using var system = tenantContext.BeginSystemScope();
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Prefix == prefix, ct);
        var now = time.GetUtcNow();
        if (key is null || !SecretToken.HashEquals(presented, key.KeyHash) || key.RevokedAt is not null || key.ExpiresAt <= now)
        {
            return null;
        }
        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == key.UserId && u.IsActive, ct);
        if (owner is null)
        {
            return null;
        }
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return (key, owner);
    }
}
