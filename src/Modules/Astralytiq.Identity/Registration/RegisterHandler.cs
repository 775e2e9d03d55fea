namespace Astralytiq.Identity.Registration;

/// <summary>
/// Sign-up. Without an invitation it provisions a new tenant and makes the user its Admin; with one,
/// the user joins the inviting tenant in the invited role. Either everything is written or nothing.
/// </summary>
internal sealed class RegisterHandler(
    IdentityDbContext db,
    ITenantContext tenantContext,
    ITenantProvisioner provisioner,
    IPasswordHasher<User> hasher,
    SessionIssuer sessions,
    IAuditLog audit,
    TimeProvider time,
    Astralytiq.Platform.Quotas.IQuotas quotas)
{
    public async Task<Result<AuthResponse>> HandleAsync(RegisterRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var email = EmailAddress.Normalize(request.Email);
        if (string.IsNullOrWhiteSpace(request.Email))
        {
            errors.Add("email", "email is required");
        }
        else if (email is null)
        {
            errors.Add("email", "email is not a valid email address");
        }
        PasswordPolicy.Check("password", request.Password, email ?? request.Email, errors, request.DisplayName, request.OrganizationName);
        errors.MaxLength("display_name", request.DisplayName, 100);
        var invited = !string.IsNullOrWhiteSpace(request.InvitationToken);
        if (!invited && (request.OrganizationName is null || request.OrganizationName.Trim().Length is < 2 or > 100))
        {
            errors.Add("organization_name", "organization_name is required (2 to 100 characters) unless registering with an invitation");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        using var system = tenantContext.BeginSystemScope();
        var now = time.GetUtcNow();
        Invitation? invitation = null;
        if (invited)
        {
            var hash = SecretToken.Hash(request.InvitationToken!.Trim());
            invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
            if (invitation is null || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= now)
            {
                return ValidationError.For("invitation_token", "the invitation is invalid, used, revoked or expired");
            }
            if (!string.Equals(invitation.Email, email, StringComparison.Ordinal))
            {
                return ValidationError.For("email", "email must be the address the invitation was sent to");
            }
        }
        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            return new ConflictError("Email address is already in use", [new("email", "Email address is already in use")]);
        }

        ProvisionedTenant? provisioned = null;
        if (invitation is null)
        {
            provisioned = await provisioner.ProvisionAsync(request.OrganizationName!, ct);
        }
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            TenantId = invitation?.TenantId ?? provisioned!.TenantId,
            Email = email!,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? email!.Split('@')[0] : request.DisplayName.Trim(),
            Role = invitation?.Role ?? Role.Admin,
            CreatedAt = now,
            UpdatedAt = now,
            LastLoginAt = now,
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        // A seat: the founder of a new organisation always has one; someone invited takes one if the plan has it left.
        var seat = Astralytiq.Platform.Quotas.CountedQuotaRegistration.Key(IdentityModule.UserCount, user.Id);
        using (tenantContext.BeginTenantScope(user.TenantId))
        {
            var counted = await quotas.RecordAsync(new Astralytiq.Platform.Quotas.UsageEvent(Astralytiq.Platform.Quotas.QuotaMetrics.Users, 1, seat, Enforce: invitation is not null), ct);
            if (!counted.IsSuccess)
            {
                return counted.Error!;
            }
        }
        db.Users.Add(user);
        if (invitation is not null)
        {
            invitation.AcceptedAt = now;
        }
        var response = sessions.Start(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            using (tenantContext.BeginTenantScope(user.TenantId))
            {
                await quotas.ReleaseAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Users, seat, CancellationToken.None);
            }
            // Lost a race for the same email: undo the tenant this attempt created.
            if (provisioned is not null)
            {
                await provisioner.DeprovisionAsync(provisioned.TenantId, CancellationToken.None);
            }
            return new ConflictError("Email address is already in use", [new("email", "Email address is already in use")]);
        }
        await audit.RecordAsync(new AuditRecord("user.registered", AuditOutcome.Success, "user", user.Id.ToString(),
            new Dictionary<string, string>
            {
                ["role"] = user.Role.ToString(),
                ["via"] = invitation is null ? "sign_up" : "invitation",
            })
        { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
        return response;
    }
}
