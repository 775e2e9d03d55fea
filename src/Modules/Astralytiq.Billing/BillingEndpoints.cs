using Astralytiq.Billing.Invoices;
using Astralytiq.Billing.Payments;
using Astralytiq.Billing.Plans;
using Astralytiq.Billing.Subscriptions;
using Astralytiq.Tenancy.Contracts;

namespace Astralytiq.Billing;

/// <summary>The organisation's subscription, invoices and billing details; the operator's plans, moves, trials, tax, credit and payments.</summary>
internal static class BillingEndpoints
{
    public static void MapTenant(RouteGroupBuilder group)
    {
        group.MapGet("/subscription", GetSubscription);
        group.MapPost("/subscription/change", Change);
        group.MapPost("/subscription/cancel", Cancel);
        group.MapPost("/subscription/reactivate", Reactivate);
        group.MapGet("/profile", GetProfile);
        group.MapPut("/profile", UpdateProfile);
        group.MapGet("/invoices", ListInvoices);
        group.MapGet("/invoices/{id:guid}", GetInvoice);
        group.MapGet("/invoices/{id:guid}/pdf", InvoicePdfFile);
        group.MapGet("/portal", Portal);
    }

    public static void MapOperator(IEndpointRouteBuilder routes)
    {
        var plans = routes.MapGroup("/operator/plans").WithTags("Operator").ForModule(BillingDbContext.Module).ProducesErrors(401, 403, 429)
            .RequirePermission(Permission.PlatformManage);
        plans.MapGet("/", ListPlans);
        plans.MapPost("/", CreatePlan);
        plans.MapPut("/{code}", UpdatePlan);
        var tenants = routes.MapGroup("/operator/tenants").WithTags("Operator").ForModule(BillingDbContext.Module).ProducesErrors(401, 403, 429)
            .RequirePermission(Permission.PlatformManage);
        tenants.MapPut("/{id:guid}/plan", MoveTenant);
        tenants.MapGet("/{id:guid}/subscription", GetTenantSubscription);
        tenants.MapPost("/{id:guid}/trial", GrantTrial);
        tenants.MapPut("/{id:guid}/tax", SetTax);
        tenants.MapPost("/{id:guid}/credits", GrantCredit);
        tenants.MapGet("/{id:guid}/invoices", ListTenantInvoices);
        tenants.MapPut("/{id:guid}/payment-provider", SetProvider);
        routes.MapPost("/public/billing/stripe/webhook", StripeWebhook).WithTags("Billing").AllowAnonymous().ForModule(BillingDbContext.Module).ProducesErrors(400, 404, 413);
        routes.MapGroup("/operator/invoices").WithTags("Operator").ForModule(BillingDbContext.Module).ProducesErrors(401, 403, 429)
            .RequirePermission(Permission.PlatformManage)
            .MapPost("/{id:guid}/paid", MarkPaid);
    }

    [RequiresPermission(Permission.BillingRead), EndpointName("GetSubscription")]
    [EndpointSummary("The organisation's plan, billing period, a change due at its end, trial, tax rate, credit, and this period's invoice so far")]
    private static async Task<Ok<SubscriptionResponse>> GetSubscription(SubscriptionService subscriptions, ITenantContext tenant, CancellationToken ct) =>
        TypedResults.Ok(await subscriptions.ViewAsync(tenant.TenantId!.Value, ct));

    [AuditedExplicitly, RequiresPermission(Permission.BillingManage), Errors(409, 422), EndpointName("ChangeSubscriptionPlan")]
    [EndpointSummary("Move to another plan: a dearer one at once (charged pro rata), a cheaper one at the period's end; refused with the list when present use exceeds the cheaper plan's limits")]
    private static async Task<Results<Ok<ChangeSubscriptionResponse>, ApiError>> Change(ChangeSubscriptionRequest? request, SubscriptionService subscriptions, ITenantContext tenant, CancellationToken ct) =>
        (await subscriptions.ChangeAsync(tenant.TenantId!.Value, request?.Plan, ct)).ToOk();

    [AuditedExplicitly, RequiresPermission(Permission.BillingManage), Errors(409), EndpointName("CancelSubscription")]
    [EndpointSummary("Return to the free plan at the period's end (a trial ends at once)")]
    private static async Task<Results<Ok<ChangeSubscriptionResponse>, ApiError>> Cancel(SubscriptionService subscriptions, ITenantContext tenant, CancellationToken ct) =>
        (await subscriptions.CancelAsync(tenant.TenantId!.Value, ct)).ToOk();

    [AuditedExplicitly, RequiresPermission(Permission.BillingManage), Errors(409), EndpointName("ReactivateSubscription")]
    [EndpointSummary("Call off a cancellation or downgrade due at the period's end")]
    private static async Task<Results<Ok<ChangeSubscriptionResponse>, ApiError>> Reactivate(SubscriptionService subscriptions, ITenantContext tenant, CancellationToken ct) =>
        (await subscriptions.ReactivateAsync(tenant.TenantId!.Value, ct)).ToOk();

    [RequiresPermission(Permission.BillingRead), EndpointName("GetBillingProfile")]
    [EndpointSummary("Who the organisation's invoices are made out and sent to")]
    private static async Task<Ok<BillingProfileDto>> GetProfile(SubscriptionService subscriptions, ITenantContext tenant, CancellationToken ct) =>
        TypedResults.Ok(await subscriptions.ProfileAsync(tenant.TenantId!.Value, ct));

    [AuditedExplicitly, RequiresPermission(Permission.BillingManage), Errors(409, 422), EndpointName("UpdateBillingProfile")]
    [EndpointSummary("Set the legal name, billing email, address and tax number printed on the organisation's invoices")]
    private static async Task<Results<Ok<BillingProfileDto>, ApiError>> UpdateProfile(BillingProfileDto? request, SubscriptionService subscriptions, ITenantContext tenant, CancellationToken ct) =>
        (await subscriptions.UpdateProfileAsync(tenant.TenantId!.Value, request, ct)).ToOk();

    [RequiresPermission(Permission.BillingRead), Errors(422), EndpointName("ListInvoices")]
    [EndpointSummary("The organisation's invoices, newest first")]
    private static async Task<Results<Ok<Page<InvoiceSummaryDto>>, ApiError>> ListInvoices(BillingDbContext db, CancellationToken ct, int? offset = null, int? limit = null) =>
        await PageAsync(db.Invoices.AsNoTracking(), offset, limit, ct);

    [RequiresPermission(Permission.BillingRead), Errors(404), EndpointName("GetInvoice")]
    [EndpointSummary("One invoice with its lines")]
    private static async Task<Results<Ok<InvoiceResponse>, ApiError>> GetInvoice(Guid id, BillingDbContext db, CancellationToken ct)
    {
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == id, ct);
        return invoice is null ? new ApiError(new NotFoundError("Invoice")) : TypedResults.Ok(ToResponse(invoice));
    }

    [RequiresPermission(Permission.BillingRead), Errors(404), EndpointName("DownloadInvoice")]
    [EndpointSummary("One invoice as a PDF")]
    private static async Task<Results<FileContentHttpResult, ApiError>> InvoicePdfFile(Guid id, BillingDbContext db, InvoiceIssuer issuer, CancellationToken ct)
    {
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == id, ct);
        if (invoice is null)
        {
            return new ApiError(new NotFoundError("Invoice"));
        }
        var file = await issuer.RenderAsync(invoice, ct);
        return TypedResults.File(file.Content, "application/pdf", file.FileName);
    }

    [RequiresPermission(Permission.BillingManage), EndpointName("GetPaymentPortal")]
    [EndpointSummary("Where the organisation manages its payment method (the payment provider's portal), or how it pays when billing is by invoice")]
    private static async Task<Ok<PaymentPortalResponse>> Portal(SubscriptionService subscriptions, PaymentProviders providers, ITenantContext tenant, HttpContext http, CancellationToken ct)
    {
        var subscription = await subscriptions.EnsureAsync(tenant.TenantId!.Value, ct);
        using var scope = tenant.BeginTenantScope(subscription.TenantId, tenant.UserId);
        return TypedResults.Ok(await providers.For(subscription).PortalAsync(subscription, $"{http.Request.Scheme}://{http.Request.Host}/billing", ct));
    }

    [AuditedExplicitly, Errors(404, 422), EndpointName("SetTenantPaymentProvider")]
    [EndpointSummary("Choose how a tenant pays from its next invoice: offline (by invoice) or stripe (charged to its card) (platform operator)")]
    private static async Task<Results<Ok<SubscriptionResponse>, ApiError>> SetProvider(Guid id, SetPaymentProviderRequest? request, SubscriptionService subscriptions, PaymentProviders providers, CancellationToken ct) =>
        (await subscriptions.SetProviderAsync(id, request?.Provider, providers.Names, ct)).ToOk();

    /// <summary>Stripe's events (signed); anonymous, so the signature is the proof. Answers 200 to an event it ignores, as Stripe expects.</summary>
    [Errors(400, 404, 413), EndpointName("ReceiveStripeWebhook")]
    [EndpointSummary("Stripe's webhook events (invoice paid or failed, card set up), verified by their Stripe-Signature header and handled once each")]
    private static async Task<Results<Ok<WebhookReceipt>, ApiError>> StripeWebhook(HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<StripeWebhooks>() is not { } webhooks)
        {
            return new ApiError(new CodedError(404, Astralytiq.Contracts.Errors.ErrorCodes.NotFound, "Stripe is not set up on this platform, so it takes no Stripe events"));
        }
        if (http.Request.ContentLength is > 1 << 20)
        {
            return new ApiError(new CodedError(413, Astralytiq.Contracts.Errors.ErrorCodes.PayloadTooLarge, "A Stripe event is at most 1 MiB"));
        }
        using var reader = new StreamReader(http.Request.Body);
        var payload = await reader.ReadToEndAsync(ct);
        var handled = await webhooks.HandleAsync(payload, http.Request.Headers[StripeWebhooks.SignatureHeader].ToString(), ct);
        return handled.IsSuccess ? TypedResults.Ok(new WebhookReceipt(true, handled.Value)) : new ApiError(handled.Error!);
    }

    [EndpointName("ListPlans")]
    [EndpointSummary("Every plan's current version (all_versions=true: every version), private and archived ones included (platform operator)")]
    private static Ok<IReadOnlyList<PlanResponse>> ListPlans(PlanSettings catalog, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "all_versions")] bool? allVersions = null) =>
        TypedResults.Ok<IReadOnlyList<PlanResponse>>(allVersions == true
            ? [.. catalog.AllVersions().OrderBy(p => p.Code, StringComparer.Ordinal).ThenBy(p => p.Version).Select(p => p.ToResponse())]
            : [.. catalog.CurrentVersions().Select(p => p.ToResponse())]);

    [AuditedExplicitly, Errors(409, 422), EndpointName("CreatePlan")]
    [EndpointSummary("Add a plan (its version 1): price a month, limits, features, overage prices, trial length, whether tenants may pick it (platform operator)")]
    private static async Task<Results<Created<PlanResponse>, ApiError>> CreatePlan(SavePlanRequest? request, PlanStore store, CancellationToken ct)
    {
        var saved = await store.CreateAsync(request, ct);
        return saved.IsSuccess ? TypedResults.Created($"/api/v1/operator/plans/{saved.Value.Code}", saved.Value.ToResponse()) : new ApiError(saved.Error!);
    }

    [AuditedExplicitly, Errors(404, 409, 422), EndpointName("UpdatePlan")]
    [EndpointSummary("Save a plan as a new version (fields left out keep their values); tenants stay on their version until moved; archived: no longer offered (platform operator)")]
    private static async Task<Results<Ok<PlanResponse>, ApiError>> UpdatePlan(string code, SavePlanRequest? request, PlanStore store, CancellationToken ct)
    {
        var saved = await store.UpdateAsync(code, request, ct);
        return saved.IsSuccess ? TypedResults.Ok(saved.Value.ToResponse()) : new ApiError(saved.Error!);
    }

    [AuditedExplicitly, Errors(400, 404, 409, 422), EndpointName("ChangeTenantPlan")]
    [EndpointSummary("Move a tenant to a plan (any, private ones too; version: its current one unless given) at once; the days on each plan are charged pro rata (platform operator)")]
    private static async Task<Results<Ok<OperatorTenantResponse>, ApiError>> MoveTenant(
        Guid id, ChangeTenantPlanRequest? request, SubscriptionService subscriptions, ITenantDirectory tenants, ITenantPlans plans, CancellationToken ct)
    {
        var moved = await subscriptions.MoveAsync(id, request?.Plan, request?.Version, request?.Reason, ct);
        if (!moved.IsSuccess)
        {
            return new ApiError(moved.Error!);
        }
        var profile = await tenants.ProfileAsync(id, ct);
        var plan = await plans.CurrentAsync(id, ct);
        return TypedResults.Ok(new OperatorTenantResponse(id, profile!.Name, profile.Slug, plan?.Code ?? moved.Value.Plan.Name, profile.IsActive ? "active" : "suspended", profile.CreatedAt, profile.UpdatedAt)
        {
            PlanVersion = plan?.Version ?? moved.Value.Plan.Version,
        });
    }

    [Errors(404), EndpointName("GetTenantSubscription")]
    [EndpointSummary("One tenant's subscription, as its Admins see it (platform operator)")]
    private static async Task<Results<Ok<SubscriptionResponse>, ApiError>> GetTenantSubscription(Guid id, SubscriptionService subscriptions, ITenantDirectory tenants, CancellationToken ct) =>
        await tenants.ProfileAsync(id, ct) is null ? new ApiError(new NotFoundError("Tenant")) : TypedResults.Ok(await subscriptions.ViewAsync(id, ct));

    [AuditedExplicitly, Errors(404, 409, 422), EndpointName("GrantTrial")]
    [EndpointSummary("Give a tenant a free trial of a plan for some days; it returns to its plan after, with a reminder to its Admins before (platform operator)")]
    private static async Task<Results<Ok<SubscriptionResponse>, ApiError>> GrantTrial(Guid id, GrantTrialRequest? request, SubscriptionService subscriptions, CancellationToken ct) =>
        (await subscriptions.GrantTrialAsync(id, request, ct)).ToOk();

    [AuditedExplicitly, Errors(404, 422), EndpointName("SetTenantTax")]
    [EndpointSummary("Set the tax rate a tenant's invoices apply (platform operator)")]
    private static async Task<Results<Ok<SubscriptionResponse>, ApiError>> SetTax(Guid id, TenantTaxRequest? request, SubscriptionService subscriptions, CancellationToken ct) =>
        (await subscriptions.SetTaxAsync(id, request, ct)).ToOk();

    [AuditedExplicitly, Errors(404, 422), EndpointName("GrantTenantCredit")]
    [EndpointSummary("Give a tenant credit, taken off its next invoices (platform operator)")]
    private static async Task<Results<Ok<SubscriptionResponse>, ApiError>> GrantCredit(Guid id, GrantCreditRequest? request, SubscriptionService subscriptions, CancellationToken ct) =>
        (await subscriptions.GrantCreditAsync(id, request, ct)).ToOk();

    [Errors(404, 422), EndpointName("ListTenantInvoices")]
    [EndpointSummary("One tenant's invoices, newest first (platform operator)")]
    private static async Task<Results<Ok<Page<InvoiceSummaryDto>>, ApiError>> ListTenantInvoices(
        Guid id, BillingDbContext db, ITenantContext context, ITenantDirectory tenants, CancellationToken ct, int? offset = null, int? limit = null)
    {
        if (await tenants.ProfileAsync(id, ct) is null)
        {
            return new ApiError(new NotFoundError("Tenant"));
        }
        using var scope = context.BeginTenantScope(id, context.UserId);
        return await PageAsync(db.Invoices.AsNoTracking(), offset, limit, ct);
    }

    [AuditedExplicitly, Errors(404, 409), EndpointName("MarkInvoicePaid")]
    [EndpointSummary("Record that an open invoice was paid (the offline provider: the operator records payments) (platform operator)")]
    private static async Task<Results<Ok<InvoiceSummaryDto>, ApiError>> MarkPaid(Guid id, BillingDbContext db, ITenantContext context, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        Invoice? invoice;
        using (context.BeginSystemScope())
        {
            invoice = await db.Invoices.SingleOrDefaultAsync(i => i.Id == id, ct);
        }
        if (invoice is null)
        {
            return new ApiError(new NotFoundError("Invoice"));
        }
        if (invoice.Status != Invoice.Open)
        {
            return new ApiError(new ConflictError($"Invoice {invoice.Number} is {invoice.Status}; only an open invoice can be marked paid."));
        }
        using (context.BeginTenantScope(invoice.TenantId, context.UserId))
        {
            invoice.Status = Invoice.Paid;
            invoice.PaidAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
        await audit.RecordAsync(new AuditRecord("invoice.paid", AuditOutcome.Success, "invoice", invoice.Number, new Dictionary<string, string> { ["total_cents"] = invoice.TotalCents.ToString(CultureInfo.InvariantCulture) })
        {
            TenantId = invoice.TenantId,
            ActorId = context.UserId,
            ActorEmail = context.Email,
        }, ct);
        return TypedResults.Ok(Summary(invoice));
    }

    private static async Task<Results<Ok<Page<InvoiceSummaryDto>>, ApiError>> PageAsync(IQueryable<Invoice> query, int? offset, int? limit, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 50);
        var errors = new FieldErrors();
        if (o < 0)
        {
            errors.Add("offset", "offset must not be negative");
        }
        if (l is < 1 or > 200)
        {
            errors.Add("limit", "limit must be between 1 and 200");
        }
        if (!errors.IsEmpty)
        {
            return new ApiError(errors.ToError());
        }
        var total = await query.CountAsync(ct);
        var page = await query.OrderByDescending(i => i.Sequence).Skip(o).Take(l).ToListAsync(ct);
        return TypedResults.Ok(new Page<InvoiceSummaryDto>([.. page.Select(Summary)], total, o, l));
    }

    internal static InvoiceSummaryDto Summary(Invoice i) =>
        new(i.Id, i.Number, i.Period, i.PeriodStart, i.PeriodEnd, i.IssuedAt, i.DueAt, i.Status, i.Currency, i.TotalCents, i.PaidAt) { PaymentError = i.PaymentError };

    internal static InvoiceResponse ToResponse(Invoice i) =>
        new(Summary(i), [.. i.Lines.OrderBy(l => l.Position).Select(l => new InvoiceLineDto(l.Kind, l.Description, l.Metric, l.Quantity, l.AmountCents))],
            i.SubtotalCents, i.TaxRateBasisPoints / 100m, i.TaxCents, i.CreditCents, i.BillTo, i.BillToEmail, i.BillToAddress, i.BillToTaxId, i.EmailedTo);
}
