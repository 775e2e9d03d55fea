using Astralytiq.Billing.Invoices;
using Astralytiq.Identity.Contracts;
using Astralytiq.Platform.Notifications;
using Astralytiq.Tenancy.Contracts;

namespace Astralytiq.Billing.Subscriptions;

/// <summary>
/// A tenant's subscription and what changes it: a dearer plan at once (the days on each plan are charged pro rata), a
/// cheaper plan or a cancellation at the period's end (refused, with the list, when present use exceeds the cheaper plan's
/// limits), a reactivation, an operator's move or trial, and the passing of time (trial reminders, a trial's end, a period
/// closed into its invoice). Every change is one transaction on the subscription; the tenant's plan in the Tenancy module
/// follows it, and is set again whenever the two are seen to differ.
/// </summary>
internal sealed partial class SubscriptionService(
    BillingDbContext db,
    PlanSettings catalog,
    ITenantPlans tenantPlans,
    ITenantContext context,
    IQuotas quotas,
    InvoiceIssuer invoices,
    IServiceProvider services,
    IAuditLog audit,
    BillingSettings settings,
    TimeProvider time,
    ILogger<SubscriptionService> logger)
{
    public const string Changed = "changed";
    public const string Scheduled = "scheduled";
    public const string Unchanged = "unchanged";

    /// <summary>The tenant's subscription, made on first use from the plan the tenant is on (billed from now on).</summary>
    public async Task<Subscription> EnsureAsync(Guid tenantId, CancellationToken ct)
    {
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.TenantId == tenantId, ct).ConfigureAwait(false);
        if (subscription is not null)
        {
            return subscription;
        }
        var now = time.GetUtcNow();
        var current = await tenantPlans.CurrentAsync(tenantId, ct).ConfigureAwait(false) ?? new PlanRef(catalog.DefaultPlan, 0);
        var plan = catalog.Find(current) ?? catalog.Find(catalog.DefaultPlan)
            ?? throw new InvalidOperationException("The plan catalog has neither the tenant's plan nor the default plan");
        var (start, end) = InvoiceMath.MonthOf(now);
        subscription = new Subscription
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            PlanCode = plan.Code,
            PlanVersion = plan.Version,
            PeriodStart = start,
            PeriodEnd = end,
            Provider = settings.Provider,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Subscriptions.Add(subscription);
        db.Segments.Add(Segment(tenantId, plan, now, trial: false));
        subscription.NextRunAt = NextRun(subscription);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Made at the same moment by another request: that one stands.
            db.ChangeTracker.Clear();
            return await db.Subscriptions.SingleAsync(s => s.TenantId == tenantId, ct).ConfigureAwait(false);
        }
        return subscription;
    }

    /// <summary>The subscription as its Admins see it, with this period's invoice so far.</summary>
    public async Task<SubscriptionResponse> ViewAsync(Guid tenantId, CancellationToken ct)
    {
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        await HealAsync(subscription, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        return await ToResponseAsync(subscription, ct).ConfigureAwait(false);
    }

    internal async Task<SubscriptionResponse> ToResponseAsync(Subscription s, CancellationToken ct)
    {
        var plan = Plan(s);
        var pending = s.CancelAtPeriodEnd
            ? catalog.Find(catalog.DefaultPlan) is { } free ? new PendingChangeDto(free.Code, free.Name, s.PeriodEnd, true) : null
            : s.PendingPlanCode is { } code && catalog.Find(new PlanRef(code, s.PendingPlanVersion ?? 0)) is { } next
                ? new PendingChangeDto(next.Code, next.Name, s.PeriodEnd, false)
                : null;
        var preview = await invoices.PreviewAsync(s, time.GetUtcNow(), ct).ConfigureAwait(false);
        return new SubscriptionResponse(plan.ToResponse(), s.Status, s.PeriodStart, s.PeriodEnd, pending, s.TrialEndsAt,
            s.TrialReturnCode is { } back ? catalog.Find(new PlanRef(back, s.TrialReturnVersion ?? 0))?.Name ?? back : null,
            s.TaxRateBasisPoints / 100m, s.CreditBalanceCents, plan.Currency, s.Provider, preview) { PaymentMethodReady = s.PaymentMethodReady };
    }

    /// <summary>An Admin's change of plan: up at once, down at the period's end; during a trial, at once either way.</summary>
    public async Task<Result<ChangeSubscriptionResponse>> ChangeAsync(Guid tenantId, string? code, CancellationToken ct)
    {
        var target = string.IsNullOrWhiteSpace(code) ? null : catalog.Find(code.Trim());
        if (target is null || !target.Public || target.Archived)
        {
            return ValidationError.For("plan", "plan must be one of: " + string.Join(", ", catalog.CurrentVersions().Where(p => p.Public && !p.Archived).Select(p => p.Code)));
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var now = time.GetUtcNow();
        var current = Plan(subscription);
        string outcome;
        string message;
        if (SamePlan(current, target))
        {
            if (subscription.Status == Subscription.Trialing)
            {
                EndTrial(subscription);
                await SwitchAsync(subscription, target, now, trial: false, ct).ConfigureAwait(false);
                (outcome, message) = (Changed, $"The trial became the {target.Name} plan; it is charged from now on.");
            }
            else if (subscription.CancelAtPeriodEnd || subscription.PendingPlanCode is not null)
            {
                ClearPending(subscription);
                (outcome, message) = (Changed, $"The change due at the period's end is called off; the organisation stays on the {target.Name} plan.");
            }
            else
            {
                return await AnswerAsync(subscription, Unchanged, $"The organisation is on the {target.Name} plan already.", ct).ConfigureAwait(false);
            }
        }
        else if (subscription.Status == Subscription.Trialing || target.PriceCents > current.PriceCents)
        {
            if (await ExceedsAsync(target, ct).ConfigureAwait(false) is { } tooMuch)
            {
                return tooMuch;
            }
            EndTrial(subscription);
            ClearPending(subscription);
            await SwitchAsync(subscription, target, now, trial: false, ct).ConfigureAwait(false);
            (outcome, message) = (Changed, target.PriceCents > current.PriceCents
                ? $"The organisation is on the {target.Name} plan from now on; this period is charged pro rata for the days on each plan."
                : $"The organisation is on the {target.Name} plan from now on.");
        }
        else
        {
            if (await ExceedsAsync(target, ct).ConfigureAwait(false) is { } tooMuch)
            {
                return tooMuch;
            }
            ClearPending(subscription);
            subscription.PendingPlanCode = target.Code;
            subscription.PendingPlanVersion = target.Version;
            (outcome, message) = (Scheduled, $"The organisation moves to the {target.Name} plan on {Day(subscription.PeriodEnd)}, when this period ends; until then it keeps the {current.Name} plan.");
        }
        var saved = await SaveAsync(subscription, "subscription." + outcome, new() { ["from"] = Ref(current), ["to"] = Ref(target) }, ct).ConfigureAwait(false);
        return saved.IsSuccess ? await AnswerAsync(subscription, outcome, message, ct).ConfigureAwait(false) : saved.Error!;
    }

    /// <summary>Back to the free (default) plan at the period's end.</summary>
    public async Task<Result<ChangeSubscriptionResponse>> CancelAsync(Guid tenantId, CancellationToken ct)
    {
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var free = catalog.Find(catalog.DefaultPlan);
        var current = Plan(subscription);
        if (free is null || (SamePlan(current, free) && subscription.Status != Subscription.Trialing))
        {
            return new ConflictError($"The organisation is on the {current.Name} plan, which costs nothing; there is nothing to cancel.");
        }
        if (subscription.Status == Subscription.Trialing)
        {
            var back = catalog.Find(new PlanRef(subscription.TrialReturnCode ?? catalog.DefaultPlan, subscription.TrialReturnVersion ?? 0)) ?? free;
            EndTrial(subscription);
            ClearPending(subscription);
            await SwitchAsync(subscription, back, time.GetUtcNow(), trial: false, ct).ConfigureAwait(false);
            var ended = await SaveAsync(subscription, "subscription.trial_canceled", new() { ["from"] = Ref(current), ["to"] = Ref(back) }, ct).ConfigureAwait(false);
            return ended.IsSuccess
                ? await AnswerAsync(subscription, Changed, $"The {current.Name} trial has ended; the organisation is back on the {back.Name} plan.", ct).ConfigureAwait(false)
                : ended.Error!;
        }
        if (subscription.CancelAtPeriodEnd)
        {
            return await AnswerAsync(subscription, Unchanged, $"The subscription ends on {Day(subscription.PeriodEnd)} already.", ct).ConfigureAwait(false);
        }
        if (await ExceedsAsync(free, ct).ConfigureAwait(false) is { } tooMuch)
        {
            return tooMuch;
        }
        ClearPending(subscription);
        subscription.CancelAtPeriodEnd = true;
        var saved = await SaveAsync(subscription, "subscription.canceled", new() { ["plan"] = Ref(current) }, ct).ConfigureAwait(false);
        return saved.IsSuccess
            ? await AnswerAsync(subscription, Scheduled, $"The {current.Name} plan ends with this period; on {Day(subscription.PeriodEnd)} the organisation moves to the {free.Name} plan. Reactivate before then to keep it.", ct).ConfigureAwait(false)
            : saved.Error!;
    }

    /// <summary>Calls off a cancellation or a downgrade due at the period's end.</summary>
    public async Task<Result<ChangeSubscriptionResponse>> ReactivateAsync(Guid tenantId, CancellationToken ct)
    {
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var current = Plan(subscription);
        if (!subscription.CancelAtPeriodEnd && subscription.PendingPlanCode is null)
        {
            return await AnswerAsync(subscription, Unchanged, $"Nothing is due to change; the organisation stays on the {current.Name} plan.", ct).ConfigureAwait(false);
        }
        ClearPending(subscription);
        var saved = await SaveAsync(subscription, "subscription.reactivated", new() { ["plan"] = Ref(current) }, ct).ConfigureAwait(false);
        return saved.IsSuccess
            ? await AnswerAsync(subscription, Changed, $"The organisation stays on the {current.Name} plan.", ct).ConfigureAwait(false)
            : saved.Error!;
    }

    /// <summary>The operator's move: at once, any plan (private ones too) and version, whatever the price.</summary>
    public async Task<Result<SubscriptionResponse>> MoveAsync(Guid tenantId, string? code, int? version, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return ValidationError.For("plan", "plan is required");
        }
        var target = catalog.Find(new PlanRef(code.Trim(), version ?? 0));
        if (target is null || (version is > 0 && target.Version != version))
        {
            return ValidationError.For(target is null ? "plan" : "version",
                target is null ? "plan must be one of: " + string.Join(", ", catalog.CurrentVersions().Select(p => p.Code)) : $"the {target.Code} plan has no version {version}");
        }
        if (reason is { Length: > 500 })
        {
            return ValidationError.For("reason", "reason must be at most 500 characters");
        }
        if (!await TenantExistsAsync(tenantId, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Tenant");
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var current = Plan(subscription);
        if (!SamePlan(current, target) || current.Version != target.Version || subscription.Status == Subscription.Trialing)
        {
            EndTrial(subscription);
            ClearPending(subscription);
            await SwitchAsync(subscription, target, time.GetUtcNow(), trial: false, ct).ConfigureAwait(false);
            var details = new Dictionary<string, string> { ["from"] = Ref(current), ["to"] = Ref(target) };
            if (!string.IsNullOrWhiteSpace(reason))
            {
                details["reason"] = reason.Trim();
            }
            var saved = await SaveAsync(subscription, "subscription.moved", details, ct, reason?.Trim()).ConfigureAwait(false);
            if (!saved.IsSuccess)
            {
                return saved.Error!;
            }
        }
        return await ToResponseAsync(subscription, ct).ConfigureAwait(false);
    }

    /// <summary>The operator's trial: the plan at once and free until the trial ends, then back to the plan the tenant was on.</summary>
    public async Task<Result<SubscriptionResponse>> GrantTrialAsync(Guid tenantId, GrantTrialRequest? request, CancellationToken ct)
    {
        var target = string.IsNullOrWhiteSpace(request?.Plan) ? null : catalog.Find(request.Plan.Trim());
        if (target is null)
        {
            return ValidationError.For("plan", "plan must be one of: " + string.Join(", ", catalog.CurrentVersions().Select(p => p.Code)));
        }
        var days = request!.Days ?? (target.TrialDays > 0 ? target.TrialDays : 14);
        if (days is < 1 or > 365)
        {
            return ValidationError.For("days", "days must be between 1 and 365");
        }
        if (!await TenantExistsAsync(tenantId, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Tenant");
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var current = Plan(subscription);
        if (SamePlan(current, target) && subscription.Status != Subscription.Trialing)
        {
            return new ConflictError($"The organisation is on the {target.Name} plan already; a trial of it would change nothing.");
        }
        var now = time.GetUtcNow();
        if (subscription.Status != Subscription.Trialing)
        {
            subscription.TrialReturnCode = current.Code;
            subscription.TrialReturnVersion = current.Version;
        }
        ClearPending(subscription);
        await SwitchAsync(subscription, target, now, trial: true, ct).ConfigureAwait(false);
        subscription.Status = Subscription.Trialing;
        subscription.TrialEndsAt = now.AddDays(days);
        subscription.TrialReminderSentAt = null;
        var saved = await SaveAsync(subscription, "subscription.trial_granted", new() { ["plan"] = Ref(target), ["days"] = days.ToString(CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false);
        return saved.IsSuccess ? await ToResponseAsync(subscription, ct).ConfigureAwait(false) : saved.Error!;
    }

    public async Task<Result<SubscriptionResponse>> SetTaxAsync(Guid tenantId, TenantTaxRequest? request, CancellationToken ct)
    {
        if (request is null || request.TaxRatePercent is < 0 or > 100 || decimal.Round(request.TaxRatePercent, 2) != request.TaxRatePercent)
        {
            return ValidationError.For("tax_rate_percent", "tax_rate_percent must be between 0 and 100 with at most two decimals (20.5 for 20.5 %)");
        }
        if (!await TenantExistsAsync(tenantId, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Tenant");
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var before = subscription.TaxRateBasisPoints;
        subscription.TaxRateBasisPoints = (int)(request.TaxRatePercent * 100);
        var saved = await SaveAsync(subscription, "subscription.tax_set", new()
        {
            ["from_percent"] = (before / 100m).ToString(CultureInfo.InvariantCulture),
            ["to_percent"] = request.TaxRatePercent.ToString(CultureInfo.InvariantCulture),
        }, ct).ConfigureAwait(false);
        return saved.IsSuccess ? await ToResponseAsync(subscription, ct).ConfigureAwait(false) : saved.Error!;
    }

    public async Task<Result<SubscriptionResponse>> GrantCreditAsync(Guid tenantId, GrantCreditRequest? request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request is null || request.AmountCents is < 1 or > 100_000_000)
        {
            errors.Add("amount_cents", "amount_cents must be between 1 and 100,000,000");
        }
        var reason = request?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 300)
        {
            errors.Add("reason", "reason is required, at most 300 characters (it is shown to the organisation)");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        if (!await TenantExistsAsync(tenantId, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Tenant");
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var now = time.GetUtcNow();
        subscription.CreditBalanceCents += request!.AmountCents;
        db.Credits.Add(new CreditEntry { Id = Guid.CreateVersion7(now), TenantId = tenantId, AmountCents = request.AmountCents, Reason = reason!, CreatedBy = context.UserId, CreatedAt = now });
        var saved = await SaveAsync(subscription, "subscription.credit_granted", new()
        {
            ["amount_cents"] = request.AmountCents.ToString(CultureInfo.InvariantCulture),
            ["reason"] = reason!,
        }, ct).ConfigureAwait(false);
        return saved.IsSuccess ? await ToResponseAsync(subscription, ct).ConfigureAwait(false) : saved.Error!;
    }

    public async Task<Result<SubscriptionResponse>> SetProviderAsync(Guid tenantId, string? provider, IReadOnlyList<string> available, CancellationToken ct)
    {
        var name = provider?.Trim().ToLowerInvariant();
        if (name is null || !available.Contains(name))
        {
            return ValidationError.For("provider", "provider must be one of the providers set up here: " + string.Join(", ", available));
        }
        if (!await TenantExistsAsync(tenantId, ct).ConfigureAwait(false))
        {
            return new NotFoundError("Tenant");
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        var before = subscription.Provider;
        subscription.Provider = name;
        var saved = await SaveAsync(subscription, "subscription.provider_set", new() { ["from"] = before, ["to"] = name }, ct).ConfigureAwait(false);
        return saved.IsSuccess ? await ToResponseAsync(subscription, ct).ConfigureAwait(false) : saved.Error!;
    }

    public async Task<BillingProfileDto> ProfileAsync(Guid tenantId, CancellationToken ct)
    {
        var s = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        return new BillingProfileDto(s.LegalName, s.BillingEmail, s.Address, s.TaxId);
    }

    public async Task<Result<BillingProfileDto>> UpdateProfileAsync(Guid tenantId, BillingProfileDto? profile, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = Clean(profile?.LegalName);
        var email = Clean(profile?.BillingEmail);
        var address = Clean(profile?.Address);
        var taxId = Clean(profile?.TaxId);
        if (name is { Length: > 200 })
        {
            errors.Add("legal_name", "legal_name must be at most 200 characters");
        }
        if (email is not null && (email.Length > 320 || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
        {
            errors.Add("billing_email", "billing_email must be one email address, such as accounts@example.com");
        }
        if (address is { Length: > 500 })
        {
            errors.Add("address", "address must be at most 500 characters");
        }
        if (taxId is { Length: > 50 })
        {
            errors.Add("tax_id", "tax_id must be at most 50 characters");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId, context.UserId);
        (subscription.LegalName, subscription.BillingEmail, subscription.Address, subscription.TaxId) = (name, email, address, taxId);
        var saved = await SaveAsync(subscription, "billing.profile_updated", [], ct).ConfigureAwait(false);
        return saved.IsSuccess ? new BillingProfileDto(name, email, address, taxId) : saved.Error!;
    }

    /// <summary>
    /// Brings the subscription up to <paramref name="now"/>: a trial reminder, a trial's end and each period's close (its
    /// invoice, then a downgrade or cancellation due at its end), in the order they fall. Run by the scheduler; safe to run
    /// twice (an invoice is one per tenant and period; a step done is not done again).
    /// </summary>
    public async Task AdvanceAsync(Guid tenantId, DateTimeOffset now, CancellationToken ct)
    {
        var subscription = await EnsureAsync(tenantId, ct).ConfigureAwait(false);
        using var scope = context.BeginTenantScope(tenantId);
        for (var step = 0; step < 240; step++)
        {
            var grace = TimeSpan.FromMinutes(settings.CloseGraceMinutes);
            var reminderAt = subscription is { Status: Subscription.Trialing, TrialEndsAt: { } ends, TrialReminderSentAt: null } ? ends.AddDays(-settings.TrialReminderDays) : (DateTimeOffset?)null;
            var trialEnd = subscription.Status == Subscription.Trialing ? subscription.TrialEndsAt : null;
            var close = subscription.PeriodEnd + grace;
            if (trialEnd is { } te && te <= now && te <= subscription.PeriodEnd)
            {
                var back = catalog.Find(new PlanRef(subscription.TrialReturnCode ?? catalog.DefaultPlan, subscription.TrialReturnVersion ?? 0))
                    ?? catalog.Find(catalog.DefaultPlan)!;
                var trialPlan = Plan(subscription);
                EndTrial(subscription);
                await SwitchAsync(subscription, back, te, trial: false, ct).ConfigureAwait(false);
                if (!(await SaveAsync(subscription, "subscription.trial_ended", new() { ["from"] = Ref(trialPlan), ["to"] = Ref(back) }, ct).ConfigureAwait(false)).IsSuccess)
                {
                    subscription = await ReloadAsync(tenantId, ct).ConfigureAwait(false);
                    continue;
                }
                await TellAdminsAsync("billing.trial_ended", $"The {trialPlan.Name} trial has ended",
                    $"The organisation is back on the {back.Name} plan. Choose a plan on the Billing page to keep what the trial gave.", NotifySeverity.Warning, ct).ConfigureAwait(false);
                continue;
            }
            if (reminderAt is { } ra && ra <= now && trialEnd > now)
            {
                subscription.TrialReminderSentAt = now;
                var trialPlan = Plan(subscription);
                if (!(await SaveAsync(subscription, "subscription.trial_reminded", [], ct).ConfigureAwait(false)).IsSuccess)
                {
                    subscription = await ReloadAsync(tenantId, ct).ConfigureAwait(false);
                    continue;
                }
                await TellAdminsAsync("billing.trial_ending", $"The {trialPlan.Name} trial ends on {Day(subscription.TrialEndsAt!.Value)}",
                    $"After that the organisation returns to the {subscription.TrialReturnCode ?? catalog.DefaultPlan} plan. Choose the {trialPlan.Name} plan on the Billing page to keep it.",
                    NotifySeverity.Warning, ct).ConfigureAwait(false);
                continue;
            }
            if (close <= now)
            {
                try
                {
                    await CloseAsync(subscription, ct).ConfigureAwait(false);
                }
                catch (DbUpdateException)
                {
                    // Another node closed the period at the same moment (its invoice or its change won): read what it wrote.
                    subscription = await ReloadAsync(tenantId, ct).ConfigureAwait(false);
                }
                continue;
            }
            break;
        }
        subscription.NextRunAt = NextRun(subscription);
        await SaveAsync(subscription, null, [], ct).ConfigureAwait(false);
        await HealAsync(subscription, ct).ConfigureAwait(false);
    }

    private async Task<Subscription> ReloadAsync(Guid tenantId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.Subscriptions.SingleAsync(s => s.TenantId == tenantId, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the current period in one transaction: its invoice (numbered from the platform's counter in the same
    /// transaction, so numbers have no gaps), what was due at its end, and the next period. Then the invoice is sent.
    /// </summary>
    private async Task CloseAsync(Subscription subscription, CancellationToken ct)
    {
        var end = subscription.PeriodEnd;
        var before = Plan(subscription);
        var due = subscription.CancelAtPeriodEnd
            ? catalog.Find(catalog.DefaultPlan)
            : subscription.PendingPlanCode is { } code ? catalog.Find(new PlanRef(code, subscription.PendingPlanVersion ?? 0)) : null;
        Invoice? issued;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            issued = await invoices.IssueAsync(subscription, ct).ConfigureAwait(false);
            if (due is not null)
            {
                ClearPending(subscription);
                await SwitchAsync(subscription, due, end, trial: false, ct).ConfigureAwait(false);
            }
            subscription.PeriodStart = end;
            subscription.PeriodEnd = end.AddMonths(1);
            subscription.Revision++;
            subscription.UpdatedAt = time.GetUtcNow();
            subscription.NextRunAt = NextRun(subscription);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        if (due is not null)
        {
            await SaveAsync(subscription, "subscription.period_change_applied", new() { ["from"] = Ref(before), ["to"] = Ref(due) }, ct).ConfigureAwait(false);
        }
        if (issued is not null)
        {
            await invoices.DeliverAsync(issued, ct).ConfigureAwait(false);
        }
    }

    /// <summary>When the scheduler should look at the subscription next (it also looks hourly, as a safety net).</summary>
    internal DateTimeOffset NextRun(Subscription s)
    {
        var times = new List<DateTimeOffset> { s.PeriodEnd + TimeSpan.FromMinutes(settings.CloseGraceMinutes) };
        if (s is { Status: Subscription.Trialing, TrialEndsAt: { } ends })
        {
            if (ends <= s.PeriodEnd)
            {
                times.Add(ends); // one past the period's end waits for the period to close first
            }
            if (s.TrialReminderSentAt is null)
            {
                times.Add(ends.AddDays(-settings.TrialReminderDays));
            }
        }
        return times.Min();
    }

    /// <summary>Sets the tenant's plan in the Tenancy module to the subscription's, when they differ (a crash between the two writes, say).</summary>
    private async Task HealAsync(Subscription subscription, CancellationToken ct)
    {
        var onTenant = await tenantPlans.CurrentAsync(subscription.TenantId, ct).ConfigureAwait(false);
        if (onTenant is { } plan && (!string.Equals(plan.Code, subscription.PlanCode, StringComparison.OrdinalIgnoreCase) || plan.Version != subscription.PlanVersion))
        {
            var moved = await tenantPlans.MoveAsync(subscription.TenantId, new PlanRef(subscription.PlanCode, subscription.PlanVersion), "subscription", ct).ConfigureAwait(false);
            if (!moved.IsSuccess)
            {
                LogHealFailed(logger, subscription.TenantId, moved.Error!.Message);
            }
        }
    }

    /// <summary>
    /// Refuses a move to <paramref name="target"/> when what the organisation holds now (storage, datasets and the other
    /// standing counts) is more than the plan allows: 409 <c>PLAN_LIMITS_EXCEEDED</c> listing each such limit.
    /// </summary>
    private async Task<Error?> ExceedsAsync(PlanDefinition target, CancellationToken ct)
    {
        var over = new List<ErrorDetail>();
        foreach (var metric in QuotaMetrics.Limitable.Where(m => !QuotaMetrics.IsMonthly(m) && !QuotaMetrics.IsCap(m)))
        {
            if (target.Limit(metric) is not { } limit)
            {
                continue;
            }
            var usage = await quotas.UsageAsync(metric, ct).ConfigureAwait(false);
            if (usage.Used > limit)
            {
                over.Add(new ErrorDetail(metric, $"{QuotaText.Readable(metric, usage.Used)} in use; the {target.Name} plan allows {QuotaText.Allowance(metric, limit)}"));
            }
        }
        return over.Count == 0
            ? null
            : new CodedError(409, Astralytiq.Contracts.Errors.ErrorCodes.PlanLimitsExceeded,
                $"The organisation uses more than the {target.Name} plan allows: {string.Join("; ", over.Select(o => o.Message))}. Free some up, then try again.", over);
    }

    private async Task<Result<Unit>> SaveAsync(Subscription subscription, string? action, Dictionary<string, string> details, CancellationToken ct, string? reason = null)
    {
        subscription.Revision++;
        subscription.UpdatedAt = time.GetUtcNow();
        subscription.NextRunAt = NextRun(subscription);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new ConflictError("The subscription was changed at the same moment by someone else; nothing was changed by this request. Load it again and retry.");
        }
        var onTenant = await tenantPlans.CurrentAsync(subscription.TenantId, ct).ConfigureAwait(false);
        if (onTenant is not { } plan || !string.Equals(plan.Code, subscription.PlanCode, StringComparison.OrdinalIgnoreCase) || plan.Version != subscription.PlanVersion)
        {
            var moved = await tenantPlans.MoveAsync(subscription.TenantId, new PlanRef(subscription.PlanCode, subscription.PlanVersion), reason ?? action, ct).ConfigureAwait(false);
            if (!moved.IsSuccess)
            {
                LogHealFailed(logger, subscription.TenantId, moved.Error!.Message);
            }
        }
        if (action is not null)
        {
            await audit.RecordAsync(new AuditRecord(action, AuditOutcome.Success, "subscription", subscription.Id.ToString(), details)
            {
                TenantId = subscription.TenantId,
                ActorId = context.UserId,
                ActorEmail = context.Email,
            }, ct).ConfigureAwait(false);
        }
        return Unit.Value;
    }

    private async Task<Result<ChangeSubscriptionResponse>> AnswerAsync(Subscription subscription, string outcome, string message, CancellationToken ct) =>
        new ChangeSubscriptionResponse(outcome, message, await ToResponseAsync(subscription, ct).ConfigureAwait(false));

    /// <summary>Ends the segment in force at <paramref name="at"/> and starts one on <paramref name="plan"/>.</summary>
    private async Task SwitchAsync(Subscription subscription, PlanDefinition plan, DateTimeOffset at, bool trial, CancellationToken ct)
    {
        var open = await db.Segments.Where(s => s.TenantId == subscription.TenantId && s.EndsAt == null).ToListAsync(ct).ConfigureAwait(false);
        open.AddRange(db.Segments.Local.Where(s => s.TenantId == subscription.TenantId && s.EndsAt is null && !open.Contains(s)));
        foreach (var segment in open)
        {
            if (segment.StartsAt >= at)
            {
                // A segment that would last no time at all (two changes at one instant) is dropped: the later change stands.
                db.Segments.Remove(segment);
            }
            else
            {
                segment.EndsAt = at;
            }
        }
        db.Segments.Add(Segment(subscription.TenantId, plan, at, trial));
        subscription.PlanCode = plan.Code;
        subscription.PlanVersion = plan.Version;
    }

    private static PlanSegment Segment(Guid tenantId, PlanDefinition plan, DateTimeOffset at, bool trial) => new()
    {
        Id = Guid.CreateVersion7(at),
        TenantId = tenantId,
        PlanCode = plan.Code,
        PlanVersion = plan.Version,
        PlanName = plan.Name,
        PriceCents = plan.PriceCents,
        Currency = plan.Currency,
        Trial = trial,
        StartsAt = at,
    };

    private static void ClearPending(Subscription s)
    {
        s.PendingPlanCode = null;
        s.PendingPlanVersion = null;
        s.CancelAtPeriodEnd = false;
    }

    private static void EndTrial(Subscription s)
    {
        s.Status = Subscription.Active;
        s.TrialEndsAt = null;
        s.TrialReturnCode = null;
        s.TrialReturnVersion = null;
        s.TrialReminderSentAt = null;
    }

    private PlanDefinition Plan(Subscription s) =>
        catalog.Find(new PlanRef(s.PlanCode, s.PlanVersion)) ?? catalog.Find(catalog.DefaultPlan)
        ?? throw new InvalidOperationException("The plan catalog has neither the subscription's plan nor the default plan");

    private static bool SamePlan(PlanDefinition a, PlanDefinition b) => string.Equals(a.Code, b.Code, StringComparison.OrdinalIgnoreCase);

    private static string Ref(PlanDefinition p) => $"{p.Code}@{p.Version.ToString(CultureInfo.InvariantCulture)}";

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<bool> TenantExistsAsync(Guid tenantId, CancellationToken ct) =>
        await services.GetRequiredService<ITenantDirectory>().ProfileAsync(tenantId, ct).ConfigureAwait(false) is not null;

    private async Task TellAdminsAsync(string eventType, string title, string body, NotifySeverity severity, CancellationToken ct)
    {
        var admins = await services.GetRequiredService<IUserDirectory>().AdminsAsync(ct).ConfigureAwait(false);
        if (admins.Count == 0)
        {
            return;
        }
        await services.GetRequiredService<INotify>().NotifyAsync(new NotifyRequest(eventType, [.. admins.Select(a => a.Id)], title, body, "/billing", severity,
            null, [NotifyChannels.InApp, NotifyChannels.Email, NotifyChannels.Webhook]), ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}'s plan could not be set to its subscription's: {Reason}")]
    private static partial void LogHealFailed(ILogger logger, Guid tenantId, string reason);
}
