using Astralytiq.Contracts.Errors;

namespace Astralytiq.Identity.Mfa;

/// <summary>Two-step sign-in for the caller (set up, confirm, turn off) and its reset by an Admin.</summary>
internal sealed class MfaHandlers(
    IdentityDbContext db,
    ITenantContext tenantContext,
    IPasswordHasher<User> hasher,
    TotpSecrets secrets,
    SessionIssuer sessions,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<Result<TotpSetupResponse>> SetupAsync(TotpSetupRequest request, CancellationToken ct)
    {
        var user = await CallerAsync(ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        if (await PasswordErrorAsync(user, request.Password, "mfa.setup_failed", ct) is { } error)
        {
            return error;
        }
        if (user.TotpEnabledAt is not null)
        {
            return new ConflictError("Two-step sign-in is already on; turn it off first to set up another authenticator");
        }
        var (base32, sealedSecret) = secrets.NewSecret(user.Id);
        user.TotpPendingSecret = sealedSecret;
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        var uri = TotpSecrets.OtpauthUri(base32, user.Email);
        return new TotpSetupResponse(base32, uri, TotpSecrets.QrSvg(uri));
    }

    public async Task<Result<RecoveryCodesResponse>> ConfirmAsync(TotpConfirmRequest request, CancellationToken ct)
    {
        var user = await CallerAsync(ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        if (user.TotpPendingSecret is null)
        {
            return new ConflictError("Start the set-up first (POST /api/v1/users/mfa/totp/setup)");
        }
        var now = time.GetUtcNow();
        var step = TotpSecrets.Verify(secrets.Open(user.TotpPendingSecret, user.Id), request.Code, user.TotpLastStep, now);
        if (step is null)
        {
            return ValidationError.For("code", "code must be the current 6-digit code from the authenticator app");
        }
        user.TotpSecret = user.TotpPendingSecret;
        user.TotpPendingSecret = null;
        user.TotpEnabledAt = now;
        user.TotpLastStep = step.Value;
        user.UpdatedAt = now;
        var codes = await ReplaceRecoveryCodesAsync(user, now, ct);
        await db.SaveChangesAsync(ct);
        await sessions.ForgetAsync(user.Id, ct);
        await audit.RecordAsync(new AuditRecord("mfa.enabled", AuditOutcome.Success, "user", user.Id.ToString()), ct);
        return new RecoveryCodesResponse(codes);
    }

    public async Task<Result<Unit>> DisableAsync(TotpDisableRequest request, CancellationToken ct)
    {
        var user = await CallerAsync(ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        if (await PasswordErrorAsync(user, request.Password, "mfa.disable_failed", ct) is { } error)
        {
            return error;
        }
        if (user.TotpSecret is null)
        {
            return new ConflictError("Two-step sign-in is not on");
        }
        var now = time.GetUtcNow();
        if (!await SecondFactorOkAsync(user, request.Code, request.Code, now, ct))
        {
            return ValidationError.For("code", "code must be a current authenticator code or an unused recovery code");
        }
        await TurnOffAsync(user, now, ct);
        await audit.RecordAsync(new AuditRecord("mfa.disabled", AuditOutcome.Success, "user", user.Id.ToString()), ct);
        return Unit.Value;
    }

    /// <summary>For a lost authenticator: an Admin turns the user's two-step sign-in off; their sessions end.</summary>
    public async Task<Result<UserResponse>> ResetAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return new NotFoundError("User");
        }
        if (user.TotpSecret is not null || user.TotpPendingSecret is not null)
        {
            await TurnOffAsync(user, time.GetUtcNow(), ct);
            await sessions.RevokeAsync(user.Id, "mfa_reset", except: null, ct);
        }
        await audit.RecordAsync(new AuditRecord("mfa.reset", AuditOutcome.Success, "user", user.Id.ToString()), ct);
        return user.ToResponse();
    }

    /// <summary>
    /// Checks the second factor at sign-in or when turning it off: a TOTP code newer than the last one
    /// used, or an unused recovery code (which is then spent). Changes are saved by the caller.
    /// </summary>
    public async Task<bool> SecondFactorOkAsync(User user, string? totpCode, string? recoveryCode, DateTimeOffset now, CancellationToken ct)
    {
        if (user.TotpSecret is null)
        {
            return true;
        }
        if (!string.IsNullOrWhiteSpace(totpCode)
            && TotpSecrets.Verify(secrets.Open(user.TotpSecret, user.Id), totpCode, user.TotpLastStep, now) is { } step)
        {
            user.TotpLastStep = step;
            return true;
        }
        if (string.IsNullOrWhiteSpace(recoveryCode))
        {
            return false;
        }
        var hash = RecoveryCodes.Hash(recoveryCode);
        // Spent with a conditional update: two sign-ins racing with one code cannot both succeed.
        var spent = await db.RecoveryCodes
            .Where(c => c.UserId == user.Id && c.TenantId == user.TenantId && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.UsedAt, now), ct);
        return spent == 1;
    }

    private async Task TurnOffAsync(User user, DateTimeOffset now, CancellationToken ct)
    {
        user.TotpSecret = null;
        user.TotpPendingSecret = null;
        user.TotpEnabledAt = null;
        user.UpdatedAt = now;
        await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        await sessions.ForgetAsync(user.Id, ct);
    }

    private async Task<List<string>> ReplaceRecoveryCodesAsync(User user, DateTimeOffset now, CancellationToken ct)
    {
        await db.RecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        var issued = RecoveryCodes.Issue(user, now);
        db.RecoveryCodes.AddRange(issued.Select(i => i.Row));
        return issued.Select(i => i.Code).ToList();
    }

    private Task<User?> CallerAsync(CancellationToken ct) => db.Users.SingleOrDefaultAsync(u => u.Id == tenantContext.UserId, ct);

    private async Task<Error?> PasswordErrorAsync(User user, string? password, string failureAction, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(password))
        {
            return ValidationError.For("password", "password is required");
        }
        if (hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            await audit.RecordAsync(new AuditRecord(failureAction, AuditOutcome.Failure, "user", user.Id.ToString()), ct);
            return ValidationError.For("password", "password is incorrect");
        }
        return null;
    }

    public static Error Required(string message) => new CodedError(401, ErrorCodes.MfaRequired, message);
}
