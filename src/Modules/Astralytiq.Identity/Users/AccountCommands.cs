namespace Astralytiq.Identity.Users;

internal sealed class AccountCommands(
    IdentityDbContext db,
    ITenantContext tenantContext,
    ITenantProvisioner provisioner,
    IPasswordHasher<User> hasher,
    IAuditLog audit,
    TimeProvider time) : IAccountCommands
{
    public const string DemoDomain = "demo.astralytiq.local";

    public async Task<DemoTenant> SeedDemoAsync(CancellationToken cancellationToken)
    {
        using var system = tenantContext.BeginSystemScope();
        var admin = await db.Users.SingleOrDefaultAsync(u => u.Email == $"admin@{DemoDomain}", cancellationToken);
        var tenantId = admin?.TenantId ?? (await provisioner.ProvisionAsync("Demo Analytics", cancellationToken)).TenantId;
        var accounts = new List<DemoAccount>();
        foreach (var role in new[] { Role.Admin, Role.Analyst, Role.Viewer })
        {
            var email = $"{role.ToString().ToLowerInvariant()}@{DemoDomain}";
            var password = NewPassword();
            await UpsertAsync(email, password, role, tenantId, $"Demo {role}", cancellationToken);
            accounts.Add(new DemoAccount(email, password, role));
        }
        await audit.RecordAsync(new AuditRecord("tenant.demo_seeded", AuditOutcome.Success, "tenant", tenantId.ToString()) { TenantId = tenantId }, cancellationToken);
        return new DemoTenant(tenantId, "Demo Analytics", accounts);
    }

    public async Task<DemoAccount> CreateOperatorAsync(string email, string? password, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email) ?? throw new ArgumentException($"'{email}' is not a valid email address", nameof(email));
        password ??= NewPassword();
        var errors = new FieldErrors();
        PasswordPolicy.Check("password", password, normalized, errors);
        if (!errors.IsEmpty)
        {
            throw new ArgumentException(string.Join("; ", errors.Items.Select(e => e.Message)), nameof(password));
        }
        using var system = tenantContext.BeginSystemScope();
        var existing = await db.Users.SingleOrDefaultAsync(u => u.Email == normalized, cancellationToken);
        if (existing is not null && existing.Role != Role.Operator)
        {
            throw new InvalidOperationException($"{normalized} is already a tenant user");
        }
        await UpsertAsync(normalized, password, Role.Operator, Guid.Empty, "Platform operator", cancellationToken);
        await audit.RecordAsync(new AuditRecord("platform.operator_created", AuditOutcome.Success, "user", normalized) { TenantId = Guid.Empty }, cancellationToken);
        return new DemoAccount(normalized, password, Role.Operator);
    }

    private async Task UpsertAsync(string email, string password, Role role, Guid tenantId, string name, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user is null)
        {
            user = new User { Id = Guid.CreateVersion7(now), TenantId = tenantId, Email = email, DisplayName = name, Role = role, CreatedAt = now };
            db.Users.Add(user);
        }
        user.PasswordHash = hasher.HashPassword(user, password);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.IsActive = true;
        user.LockoutEnd = null;
        user.FailedLoginCount = 0;
        user.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    private static string NewPassword() => "Aq-" + SecretToken.New()[..16];
}
