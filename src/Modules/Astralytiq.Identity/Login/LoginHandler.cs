namespace Astralytiq.Identity.Login;

/// <summary>
/// Sign-in. Unknown email, wrong password, locked and deactivated accounts all answer the same 401 and
/// cost one password-hash verification each, so neither the answer nor its time tells them apart.
/// </summary>
internal sealed class LoginHandler(
    IdentityDbContext db,
    ITenantContext tenantContext,
    ITenantDirectory tenants,
    IPasswordHasher<User> hasher,
    DecoyHash decoy,
    SessionIssuer sessions,
    MfaHandlers mfa,
    IAuditLog audit,
    IdentitySettings settings,
    TimeProvider time)
{
    public const string InvalidCredentials = "The email or password is incorrect, or the account is temporarily locked";

    public async Task<Result<AuthResponse>> HandleAsync(LoginRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("email", request.Email).Required("password", request.Password);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var email = EmailAddress.Normalize(request.Email);
        using var system = tenantContext.BeginSystemScope();
        var user = email is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        var now = time.GetUtcNow();
        if (user is null)
        {
            decoy.Verify(request.Password!);
            await audit.RecordAsync(new AuditRecord("user.login_failed", AuditOutcome.Failure, "user", null,
                new Dictionary<string, string> { ["reason"] = "unknown_email" }) { TenantId = Guid.Empty, ActorEmail = email }, ct);
            return new UnauthorizedError(InvalidCredentials);
        }

        var verification = hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password!);
        var locked = user.LockoutEnd is { } end && end > now;
        var passwordOk = verification is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;
        // Operators belong to no tenant; everyone else signs in only while their tenant is active.
        if (locked || !passwordOk || !user.IsActive || (user.Role != Role.Operator && !await tenants.IsActiveAsync(user.TenantId, ct)))
        {
            var reason = locked ? "locked" : !passwordOk ? "wrong_password" : "inactive";
            if (!locked && !passwordOk)
            {
                if (CountFailure(user, now))
                {
                    reason = "locked_out_now";
                }
                await db.SaveChangesAsync(ct);
            }
            await audit.RecordAsync(new AuditRecord(reason == "locked_out_now" ? "user.locked_out" : "user.login_failed", AuditOutcome.Failure,
                "user", user.Id.ToString(), new Dictionary<string, string> { ["reason"] = reason })
            { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
            return new UnauthorizedError(InvalidCredentials);
        }

        // Two-step sign-in: the password was right; without a good second factor nothing else changes.
        if (user.TotpSecret is not null)
        {
            if (string.IsNullOrWhiteSpace(request.TotpCode) && string.IsNullOrWhiteSpace(request.RecoveryCode))
            {
                return MfaHandlers.Required("Enter the 6-digit code from your authenticator app, or a recovery code");
            }
            var usedRecovery = string.IsNullOrWhiteSpace(request.TotpCode);
            if (!await mfa.SecondFactorOkAsync(user, request.TotpCode, request.RecoveryCode, now, ct))
            {
                // Wrong codes count towards the lockout like wrong passwords: the code space is small.
                var lockedNow = CountFailure(user, now);
                await db.SaveChangesAsync(ct);
                await audit.RecordAsync(new AuditRecord(lockedNow ? "user.locked_out" : "user.login_failed", AuditOutcome.Failure, "user", user.Id.ToString(),
                    new Dictionary<string, string> { ["reason"] = "wrong_second_factor" })
                { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
                return MfaHandlers.Required("The authentication code is incorrect or was already used");
            }
            if (usedRecovery)
            {
                await audit.RecordAsync(new AuditRecord("mfa.recovery_code_used", AuditOutcome.Success, "user", user.Id.ToString())
                { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
            }
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, request.Password!);
        }
        user.FailedLoginCount = 0;
        user.LockoutEnd = null;
        user.LastLoginAt = now;
        var response = sessions.Start(user);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditRecord("user.login", AuditOutcome.Success, "user", user.Id.ToString())
        { TenantId = user.TenantId, ActorId = user.Id, ActorEmail = user.Email }, ct);
        return response with { User = user.ToResponse() };
    }

    /// <summary>Counts a failed attempt; true when it locks the account now.</summary>
    private bool CountFailure(User user, DateTimeOffset now)
    {
        user.FailedLoginCount++;
        if (user.FailedLoginCount < settings.LockoutThreshold)
        {
            return false;
        }
        user.LockoutEnd = now.AddMinutes(settings.LockoutMinutes);
        user.FailedLoginCount = 0;
        return true;
    }
}

/// <summary>
/// A hash of a random password made by the configured hasher (its iteration count too): checking a password
/// for an unknown email against it costs what checking a real user's costs, so the time of a failed sign-in
/// does not tell whether the account exists. (A default-options hasher once made this path twice as fast.)
/// </summary>
internal sealed class DecoyHash(IPasswordHasher<User> hasher)
{
    private readonly Lazy<string> _hash = new(() => hasher.HashPassword(new User(), Tokens.SecretToken.New()));

    public void Verify(string password) => hasher.VerifyHashedPassword(new User(), _hash.Value, password);
}
