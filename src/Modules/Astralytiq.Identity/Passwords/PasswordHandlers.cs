namespace Astralytiq.Identity.Passwords;

internal sealed class PasswordHandlers(
    IdentityDbContext db,
    ITenantContext tenantContext,
    IPasswordHasher<User> hasher,
    SessionIssuer sessions,
    IAuditLog audit,
    IdentitySettings settings,
    PlatformOptions platform,
    TimeProvider time)
{
    public const string ResetAccepted = "If an account exists for that address, a reset link has been sent to it";

    /// <summary>Changes the caller's password; every other session of the user ends.</summary>
    public async Task<Result<Unit>> ChangeAsync(ChangePasswordRequest request, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == tenantContext.UserId, ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        var errors = new FieldErrors().Required("current_password", request.CurrentPassword);
        PasswordPolicy.Check("new_password", request.NewPassword, user.Email, errors, user.DisplayName);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var check = hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword!);
        if (check == PasswordVerificationResult.Failed)
        {
            await audit.RecordAsync(new AuditRecord("user.password_change_failed", AuditOutcome.Failure, "user", user.Id.ToString()), ct);
            return ValidationError.For("current_password", "current_password is incorrect");
        }
        user.PasswordHash = hasher.HashPassword(user, request.NewPassword!);
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await sessions.RevokeAsync(user.Id, "password_changed", except: tenantContext.SessionId, ct);
        await audit.RecordAsync(new AuditRecord("user.password_changed", AuditOutcome.Success, "user", user.Id.ToString()), ct);
        return Unit.Value;
    }

    /// <summary>Always answers the same; an active account gets a single-use token by email.</summary>
    public async Task<Result<AcceptedResponse>> RequestResetAsync(PasswordResetRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email))
        {
            return ValidationError.For("email", "email is required");
        }
        var normalized = EmailAddress.Normalize(request.Email);
        if (normalized is null)
        {
            return ValidationError.For("email", "email is not a valid email address");
        }
        using var system = tenantContext.BeginSystemScope();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == normalized && u.IsActive, ct);
        if (user is not null)
        {
            var now = time.GetUtcNow();
            var token = SecretToken.New();
            db.PasswordResetTokens.Add(new PasswordResetToken
            {
                Id = Guid.CreateVersion7(now),
                TenantId = user.TenantId,
                UserId = user.Id,
                TokenHash = SecretToken.Hash(token),
                CreatedAt = now,
                ExpiresAt = now.AddMinutes(settings.PasswordResetMinutes),
            });
            var link = $"{platform.PublicBaseUrl.TrimEnd('/')}/reset-password?token={Uri.EscapeDataString(token)}";
            db.Publish(new EmailRequested(user.Email, "Reset your Astralytiq password",
                $"""
                Someone asked to reset the password of your Astralytiq account ({user.Email}).

                Open this link within {settings.PasswordResetMinutes} minutes to choose a new password:
                {link}

                Or paste this reset code in the app: {token}

                If it was not you, ignore this message; your password stays as it is.
                """));
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(new AuditRecord("user.password_reset_requested", AuditOutcome.Success, "user", user.Id.ToString())
            { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
        }
        return new AcceptedResponse(ResetAccepted);
    }

    /// <summary>Sets a new password with a reset token: the token is spent, every other token voided, every session ended.</summary>
    public async Task<Result<Unit>> ConfirmResetAsync(PasswordResetConfirmRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("token", request.Token);
        if (string.IsNullOrWhiteSpace(request.NewPassword))
        {
            errors.Add("new_password", "new_password is required");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        using var system = tenantContext.BeginSystemScope();
        var now = time.GetUtcNow();
        var hash = SecretToken.Hash(request.Token!.Trim());
        var token = await db.PasswordResetTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        var user = token is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Id == token.UserId && u.IsActive, ct);
        if (token is null || user is null || token.UsedAt is not null || token.ExpiresAt <= now)
        {
            return ValidationError.For("token", "the reset token is invalid, used or expired");
        }
        PasswordPolicy.Check("new_password", request.NewPassword, user.Email, errors, user.DisplayName);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var spent = await db.PasswordResetTokens.Where(t => t.Id == token.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.UsedAt, now), ct);
        if (spent != 1)
        {
            return ValidationError.For("token", "the reset token is invalid, used or expired");
        }
        await db.PasswordResetTokens.Where(t => t.UserId == user.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.UsedAt, now), ct);
        user.PasswordHash = hasher.HashPassword(user, request.NewPassword!);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.FailedLoginCount = 0;
        user.LockoutEnd = null;
        user.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await sessions.RevokeAsync(user.Id, "password_reset", except: null, ct);
        await audit.RecordAsync(new AuditRecord("user.password_reset", AuditOutcome.Success, "user", user.Id.ToString())
        { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
        return Unit.Value;
    }
}
