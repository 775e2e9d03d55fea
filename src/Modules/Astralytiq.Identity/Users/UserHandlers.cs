namespace Astralytiq.Identity.Users;

internal sealed class UserHandlers(
    IdentityDbContext db,
    ITenantContext tenantContext,
    SessionIssuer sessions,
    IAuditLog audit,
    TimeProvider time,
    Astralytiq.Platform.Quotas.IQuotas quotas)
{
    private static readonly string[] Themes = ["light", "dark", "system"];

    // The most frequent read of the platform (every page load asks for it): compiled once, tenant filter included.
    private static readonly CompiledQuery<IdentityDbContext, Guid, User?> UserById =
        new((context, id, _) => context.Users.AsNoTracking().SingleOrDefault(u => u.Id == id));

    public async Task<Result<UserResponse>> GetProfileAsync(CancellationToken ct)
    {
        var user = tenantContext.UserId is { } id ? await UserById.ExecuteAsync(db, id, ct) : null;
        return user is null ? new NotFoundError("User") : user.ToResponse();
    }

    public async Task<Result<UserResponse>> UpdateProfileAsync(UpdateProfileRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors()
            .MaxLength("display_name", request.DisplayName, 100)
            .MaxLength("job_title", request.JobTitle, 100);
        if (request.DisplayName is not null && string.IsNullOrWhiteSpace(request.DisplayName))
        {
            errors.Add("display_name", "display_name must not be blank");
        }
        if (request.TimeZone is { Length: > 0 } tz && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
        {
            errors.Add("time_zone", "time_zone must be an IANA time zone such as Europe/Berlin");
        }
        if (request.Locale is { Length: > 0 } locale && !IsCulture(locale))
        {
            errors.Add("locale", "locale must be a culture name such as en-US");
        }
        if (request.Theme is { Length: > 0 } theme && !Themes.Contains(theme))
        {
            errors.Add("theme", "theme must be light, dark or system");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == tenantContext.UserId, ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        user.DisplayName = request.DisplayName?.Trim() ?? user.DisplayName;
        user.JobTitle = request.JobTitle is null ? user.JobTitle : Blank(request.JobTitle);
        user.TimeZone = request.TimeZone is null ? user.TimeZone : Blank(request.TimeZone);
        user.Locale = request.Locale is null ? user.Locale : Blank(request.Locale);
        user.Theme = request.Theme is null ? user.Theme : Blank(request.Theme);
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return user.ToResponse();
    }

    public async Task<Result<Page<UserResponse>>> ListAsync(int? offset, int? limit, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        if (o < 0 || l is < 1 or > 200)
        {
            return ValidationError.For(o < 0 ? "offset" : "limit", o < 0 ? "offset must not be negative" : "limit must be between 1 and 200");
        }
        var query = db.Users.AsNoTracking();
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Skip(o).Take(l).ToListAsync(ct);
        return new Page<UserResponse>(items.Select(u => u.ToResponse()).ToList(), total, o, l);
    }

    public async Task<Result<UserResponse>> GetAsync(Guid id, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? new NotFoundError("User") : user.ToResponse();
    }

    public async Task<Result<UserResponse>> ChangeRoleAsync(Guid id, ChangeRoleRequest request, CancellationToken ct)
    {
        if (request.Role is not { } role || role == Role.Operator || !Enum.IsDefined(role))
        {
            return ValidationError.For("role", "role must be admin, analyst or viewer");
        }
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        if (user.Role == Role.Admin && role != Role.Admin && !await HasAnotherActiveAdminAsync(user.Id, ct))
        {
            return new ConflictError("The tenant must keep at least one active Admin");
        }
        var previous = user.Role;
        user.Role = role;
        user.UpdatedAt = time.GetUtcNow();
        db.Publish(new Contracts.UserAccessChanged(user.TenantId, user.Id, user.IsActive, role));
        await db.SaveChangesAsync(ct);
        await sessions.ForgetAsync(user.Id, ct);
        await audit.RecordAsync(new AuditRecord("user.role_changed", AuditOutcome.Success, "user", user.Id.ToString(),
            new Dictionary<string, string> { ["from"] = previous.ToString(), ["to"] = role.ToString() }), ct);
        return user.ToResponse();
    }

    public async Task<Result<UserResponse>> SetActiveAsync(Guid id, bool active, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        if (!active && user.Id == tenantContext.UserId)
        {
            return new ConflictError("You cannot deactivate yourself");
        }
        if (!active && user.Role == Role.Admin && !await HasAnotherActiveAdminAsync(user.Id, ct))
        {
            return new ConflictError("The tenant must keep at least one active Admin");
        }
        var seat = Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(IdentityModule.UserCount, user.Id);
        if (user.IsActive != active && active
            && await quotas.ConsumeAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Users, 1, seat, ct) is { IsSuccess: false } full)
        {
            return full.Error!; // no seat left on the plan for someone reactivated
        }
        if (user.IsActive != active)
        {
            user.IsActive = active;
            user.SecurityStamp = Guid.NewGuid().ToString("N");
            user.UpdatedAt = time.GetUtcNow();
            db.Publish(new Contracts.UserAccessChanged(user.TenantId, user.Id, active, user.Role));
            await db.SaveChangesAsync(ct);
            if (!active)
            {
                await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Users, seat, ct);
                await sessions.RevokeAsync(user.Id, "deactivated", except: null, ct);
            }
            await sessions.ForgetAsync(user.Id, ct);
        }
        await audit.RecordAsync(new AuditRecord(active ? "user.reactivated" : "user.deactivated", AuditOutcome.Success, "user", user.Id.ToString()), ct);
        return user.ToResponse();
    }

    private Task<bool> HasAnotherActiveAdminAsync(Guid userId, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id != userId && u.Role == Role.Admin && u.IsActive, ct);

    private static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsCulture(string name)
    {
        try
        {
            return name.Length <= 20 && !System.Globalization.CultureInfo.GetCultureInfo(name, predefinedOnly: true).Equals(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (System.Globalization.CultureNotFoundException)
        {
            return false;
        }
    }
}
