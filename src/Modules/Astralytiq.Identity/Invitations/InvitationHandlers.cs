namespace Astralytiq.Identity.Invitations;


internal sealed class InvitationHandlers(
    IdentityDbContext db,
    ITenantContext tenantContext,
    IAuditLog audit,
    IdentitySettings settings,
    PlatformOptions platform,
    TimeProvider time,
    Astralytiq.Platform.Quotas.IQuotas quotas)
{
    public async Task<Result<InvitationResponse>> InviteAsync(InviteUserRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var normalized = EmailAddress.Normalize(request.Email);
        if (normalized is null)
        {
            errors.Add("email", string.IsNullOrWhiteSpace(request.Email) ? "email is required" : "email is not a valid email address");
        }
        if (request.Role is not { } role || role == Role.Operator || !Enum.IsDefined(role))
        {
            errors.Add("role", "role must be admin, analyst or viewer");
            role = default;
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        bool taken;
        using (tenantContext.BeginSystemScope())
        {
            taken = await db.Users.AnyAsync(u => u.Email == normalized, ct);
        }
        if (taken)
        {
            return new ConflictError("A user with this email already exists", [new("email", "A user with this email already exists")]);
        }
        var now = time.GetUtcNow();
        if (await db.Invitations.AnyAsync(i => i.Email == normalized && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, ct))
        {
            return new ConflictError("A pending invitation for this email exists; revoke it first", [new("email", "already invited")]);
        }
        // Told now, not when the invitation is accepted: the plan has no seat left (the one invited takes it on joining).
        if (await quotas.CheckAsync(Astralytiq.Platform.Quotas.QuotaMetrics.Users, 1, ct) is { IsSuccess: false } full)
        {
            return full.Error!;
        }
        var token = SecretToken.New();
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(now),
            Email = normalized!,
            Role = role,
            TokenHash = SecretToken.Hash(token),
            InvitedBy = tenantContext.UserId!.Value,
            CreatedAt = now,
            ExpiresAt = now.AddDays(settings.InvitationDays),
        };
        db.Invitations.Add(invitation);
        var link = $"{platform.PublicBaseUrl.TrimEnd('/')}/register?invitation={Uri.EscapeDataString(token)}";
        db.Publish(new EmailRequested(invitation.Email, "You are invited to Astralytiq",
            $"""
            {tenantContext.Email} invited you to join their organisation on Astralytiq as {role}.

            Accept within {settings.InvitationDays} days: {link}

            Invitation code: {token}
            """));
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("user.invited", AuditOutcome.Success, "invitation", invitation.Id.ToString(),
            new Dictionary<string, string> { ["email"] = invitation.Email, ["role"] = role.ToString() }), ct);
        return invitation.ToResponse();
    }

    public async Task<Result<IReadOnlyList<InvitationResponse>>> ListAsync(CancellationToken ct)
    {
        var items = await db.Invitations.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(500).ToListAsync(ct);
        return items.Select(i => i.ToResponse()).ToList();
    }

    public async Task<Result<Unit>> RevokeAsync(Guid id, CancellationToken ct)
    {
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == id, ct);
        if (invitation is null)
        {
            return new NotFoundError("Invitation");
        }
        if (invitation.AcceptedAt is not null)
        {
            return new ConflictError("The invitation was already accepted");
        }
        invitation.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("user.invitation_revoked", AuditOutcome.Success, "invitation", id.ToString()), ct);
        return Unit.Value;
    }

    /// <summary>For the sign-up page: what an invitation token is for. Answers 404 for anything but a live invitation.</summary>
    public async Task<Result<InvitationLookupResponse>> LookupAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return ValidationError.For("token", "token is required");
        }
        var hash = SecretToken.Hash(token.Trim());
        var now = time.GetUtcNow();
        using var system = tenantContext.BeginSystemScope();
        var invitation = await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        return invitation is null || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= now
            ? new NotFoundError("Invitation")
            : new InvitationLookupResponse(invitation.Email, invitation.Role, invitation.ExpiresAt);
    }
}
