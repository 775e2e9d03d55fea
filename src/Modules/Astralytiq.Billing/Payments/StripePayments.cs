using Astralytiq.Identity.Contracts;
using Astralytiq.Platform.Notifications;
using Astralytiq.Tenancy.Contracts;
using Stripe;
using Invoice = Astralytiq.Billing.Persistence.Invoice;
using Subscription = Astralytiq.Billing.Persistence.Subscription;

namespace Astralytiq.Billing.Payments;

/// <summary>
/// Stripe through Stripe.net: a Customer per organisation (made on first need, idempotently), its card set up through a
/// Checkout session in setup mode and managed in the customer portal, and each invoice Astralytiq issues sent as a Stripe
/// invoice with the same lines, charged automatically. Every write carries an idempotency key derived from our ids, so a
/// retry never makes a second customer, invoice or line.
/// </summary>
internal sealed class StripePaymentProvider(IStripeClient client, BillingDbContext db, ITenantDirectory tenants, IServiceProvider services) : IPaymentProvider
{
    public const string Id = "stripe";

    public const string InvoiceKey = "astralytiq_invoice_id";
    public const string TenantKey = "astralytiq_tenant_id";

    public string Name => Id;

    public async Task<PaymentPortalResponse> PortalAsync(Subscription subscription, string returnUrl, CancellationToken ct)
    {
        var customer = await CustomerAsync(subscription, ct).ConfigureAwait(false);
        if (!subscription.PaymentMethodReady)
        {
            var checkout = await new Stripe.Checkout.SessionService(client).CreateAsync(new Stripe.Checkout.SessionCreateOptions
            {
                Mode = "setup",
                Customer = customer,
                Currency = "usd",
                SuccessUrl = returnUrl + "?payment_method=added",
                CancelUrl = returnUrl,
                ClientReferenceId = subscription.TenantId.ToString(),
                Metadata = new Dictionary<string, string> { [TenantKey] = subscription.TenantId.ToString() },
            }, null, ct).ConfigureAwait(false);
            return new PaymentPortalResponse(Name, checkout.Url, "Add a card with Stripe: each month's invoice is then charged to it.");
        }
        var portal = await new Stripe.BillingPortal.SessionService(client).CreateAsync(new Stripe.BillingPortal.SessionCreateOptions
        {
            Customer = customer,
            ReturnUrl = returnUrl,
        }, null, ct).ConfigureAwait(false);
        return new PaymentPortalResponse(Name, portal.Url, "Each month's invoice is charged to the card kept by Stripe; change it in Stripe's portal.");
    }

    public async Task<string?> CollectAsync(Invoice invoice, Subscription subscription, CancellationToken ct)
    {
        if (invoice.TotalCents <= 0)
        {
            return null; // paid in full by credit: nothing to collect
        }
        var customer = await CustomerAsync(subscription, ct).ConfigureAwait(false);
        var metadata = new Dictionary<string, string> { [InvoiceKey] = invoice.Id.ToString(), [TenantKey] = invoice.TenantId.ToString(), ["number"] = invoice.Number };
        var invoices = new InvoiceService(client);
        var created = await invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer,
            Currency = invoice.Currency.ToLowerInvariant(),
            CollectionMethod = "charge_automatically",
            AutoAdvance = true,
            PendingInvoiceItemsBehavior = "exclude",
            Description = $"Astralytiq invoice {invoice.Number}",
            Metadata = metadata,
        }, new RequestOptions { IdempotencyKey = $"astralytiq-invoice-{invoice.Id:N}" }, ct).ConfigureAwait(false);
        var items = new InvoiceItemService(client);
        // The same lines as ours, tax and credit included, so Stripe charges exactly our total.
        var lines = invoice.Lines.Count > 0 ? invoice.Lines : await db.InvoiceLines.AsNoTracking().Where(l => l.InvoiceId == invoice.Id).ToListAsync(ct).ConfigureAwait(false);
        foreach (var line in lines.Where(l => l.AmountCents != 0).OrderBy(l => l.Position))
        {
            await items.CreateAsync(new InvoiceItemCreateOptions
            {
                Customer = customer,
                Invoice = created.Id,
                Amount = line.AmountCents,
                Currency = invoice.Currency.ToLowerInvariant(),
                Description = line.Description,
                Metadata = new Dictionary<string, string> { [InvoiceKey] = invoice.Id.ToString(), ["kind"] = line.Kind },
            }, new RequestOptions { IdempotencyKey = $"astralytiq-line-{line.Id:N}" }, ct).ConfigureAwait(false);
        }
        await invoices.FinalizeInvoiceAsync(created.Id, new InvoiceFinalizeOptions { AutoAdvance = true },
            new RequestOptions { IdempotencyKey = $"astralytiq-finalize-{invoice.Id:N}" }, ct).ConfigureAwait(false);
        return created.Id;
    }

    /// <summary>The organisation's Stripe customer, made the first time it is needed (the same one however often that is asked at once).</summary>
    private async Task<string> CustomerAsync(Subscription subscription, CancellationToken ct)
    {
        if (subscription.ProviderCustomerId is { } known)
        {
            return known;
        }
        var profile = await tenants.ProfileAsync(subscription.TenantId, ct).ConfigureAwait(false);
        var email = subscription.BillingEmail
            ?? (await services.GetRequiredService<IUserDirectory>().AdminsAsync(ct).ConfigureAwait(false)).FirstOrDefault(a => a.IsActive)?.Email;
        var customer = await new CustomerService(client).CreateAsync(new CustomerCreateOptions
        {
            Name = subscription.LegalName ?? profile?.Name,
            Email = email,
            Metadata = new Dictionary<string, string> { [TenantKey] = subscription.TenantId.ToString() },
        }, new RequestOptions { IdempotencyKey = $"astralytiq-customer-{subscription.TenantId:N}" }, ct).ConfigureAwait(false);
        subscription.ProviderCustomerId = customer.Id;
        await db.Subscriptions.Where(s => s.Id == subscription.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ProviderCustomerId, customer.Id), ct).ConfigureAwait(false);
        return customer.Id;
    }
}

/// <summary>
/// Stripe's webhooks: the signature checked with Stripe's scheme (HMAC-SHA256 of "timestamp.payload" with the endpoint's
/// secret, within the tolerance), each event handled once (its id is kept), and in any order (an invoice paid stays paid; an
/// event older than what we last heard of an invoice changes nothing).
/// </summary>
internal sealed partial class StripeWebhooks(
    StripeSettings settings, BillingDbContext db, ITenantContext context, IServiceProvider services, TimeProvider time, ILogger<StripeWebhooks> logger)
{
    public const string SignatureHeader = "Stripe-Signature";

    public async Task<Result<string>> HandleAsync(string payload, string? signature, CancellationToken ct)
    {
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(payload, signature ?? string.Empty, settings.WebhookSecret, settings.ToleranceSeconds,
                time.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException ex)
        {
            LogRefused(logger, ex.Message);
            return new BadRequestError("The Stripe-Signature header does not verify this payload (wrong secret, changed body or too old); nothing was done.");
        }
        using var system = context.BeginSystemScope();
        var created = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc));
        var record = new ProviderEvent { Id = stripeEvent.Id, Provider = StripePaymentProvider.Id, Type = stripeEvent.Type, CreatedAt = created, ReceivedAt = time.GetUtcNow() };
        db.ProviderEvents.Add(record);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return "duplicate: handled before";
        }
        var outcome = stripeEvent.Type switch
        {
            EventTypes.InvoicePaid => await InvoicePaidAsync(stripeEvent.Data.Object as Stripe.Invoice, created, ct).ConfigureAwait(false),
            EventTypes.InvoicePaymentFailed => await PaymentFailedAsync(stripeEvent.Data.Object as Stripe.Invoice, created, ct).ConfigureAwait(false),
            EventTypes.InvoiceVoided or EventTypes.InvoiceMarkedUncollectible => await VoidedAsync(stripeEvent.Data.Object as Stripe.Invoice, created, ct).ConfigureAwait(false),
            EventTypes.CheckoutSessionCompleted => await CheckoutCompletedAsync(stripeEvent.Data.Object as Stripe.Checkout.Session, ct).ConfigureAwait(false),
            _ => "ignored: not an event Astralytiq acts on",
        };
        record.Outcome = outcome.Length > 300 ? outcome[..300] : outcome;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return outcome;
    }

    private async Task<Invoice?> OursAsync(Stripe.Invoice? theirs, CancellationToken ct)
    {
        if (theirs?.Metadata is { } metadata && metadata.TryGetValue(StripePaymentProvider.InvoiceKey, out var id) && Guid.TryParse(id, out var invoiceId))
        {
            return await db.Invoices.SingleOrDefaultAsync(i => i.Id == invoiceId, ct).ConfigureAwait(false);
        }
        return theirs?.Id is { } stripeId ? await db.Invoices.SingleOrDefaultAsync(i => i.ProviderInvoiceId == stripeId, ct).ConfigureAwait(false) : null;
    }

    private async Task<string> InvoicePaidAsync(Stripe.Invoice? theirs, DateTimeOffset at, CancellationToken ct)
    {
        var invoice = await OursAsync(theirs, ct).ConfigureAwait(false);
        if (invoice is null)
        {
            return "ignored: no such invoice";
        }
        if (invoice.Status == Invoice.Paid)
        {
            return "ignored: paid already";
        }
        invoice.Status = Invoice.Paid;
        invoice.PaidAt = at;
        invoice.PaymentError = null;
        invoice.ProviderInvoiceId ??= theirs!.Id;
        invoice.ProviderUpdatedAt = at;
        await SaveAsInvoiceTenantAsync(invoice, ct).ConfigureAwait(false);
        return $"applied: {invoice.Number} paid";
    }

    private async Task<string> PaymentFailedAsync(Stripe.Invoice? theirs, DateTimeOffset at, CancellationToken ct)
    {
        var invoice = await OursAsync(theirs, ct).ConfigureAwait(false);
        if (invoice is null)
        {
            return "ignored: no such invoice";
        }
        if (invoice.Status != Invoice.Open || (invoice.ProviderUpdatedAt is { } last && at < last))
        {
            return "ignored: older than what is known of the invoice";
        }
        invoice.PaymentError = "The card payment failed; Stripe tries again, or change the card in Stripe's portal (Billing page).";
        invoice.ProviderUpdatedAt = at;
        await SaveAsInvoiceTenantAsync(invoice, ct).ConfigureAwait(false);
        // Told in a scope of the invoice's organisation alone: this request's scope sees every organisation (system).
        await using (var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            using var tenant = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(invoice.TenantId);
            var admins = await scope.ServiceProvider.GetRequiredService<IUserDirectory>().AdminsAsync(ct).ConfigureAwait(false);
            if (admins.Count > 0)
            {
                await scope.ServiceProvider.GetRequiredService<INotify>().NotifyAsync(new NotifyRequest("billing.payment_failed", [.. admins.Select(a => a.Id)],
                    $"Payment of invoice {invoice.Number} failed", invoice.PaymentError, "/billing", NotifySeverity.Warning,
                    new Dictionary<string, object?> { ["invoice"] = invoice.Number }, [NotifyChannels.InApp, NotifyChannels.Email, NotifyChannels.Webhook]), ct).ConfigureAwait(false);
            }
        }
        return $"applied: {invoice.Number} payment failed";
    }

    private async Task<string> VoidedAsync(Stripe.Invoice? theirs, DateTimeOffset at, CancellationToken ct)
    {
        var invoice = await OursAsync(theirs, ct).ConfigureAwait(false);
        if (invoice is null || invoice.Status != Invoice.Open || (invoice.ProviderUpdatedAt is { } last && at < last))
        {
            return "ignored: not an open invoice, or older than what is known of it";
        }
        invoice.Status = Invoice.Void;
        invoice.ProviderUpdatedAt = at;
        await SaveAsInvoiceTenantAsync(invoice, ct).ConfigureAwait(false);
        return $"applied: {invoice.Number} void";
    }

    private async Task<string> CheckoutCompletedAsync(Stripe.Checkout.Session? session, CancellationToken ct)
    {
        if (session is not { Mode: "setup", Customer: { } customer } && session?.CustomerId is not { })
        {
            return "ignored: not a payment method set-up";
        }
        var customerId = session!.CustomerId ?? session.Customer?.Id;
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.ProviderCustomerId == customerId, ct).ConfigureAwait(false);
        if (subscription is null)
        {
            return "ignored: no such customer";
        }
        using (context.BeginTenantScope(subscription.TenantId))
        {
            await db.Subscriptions.Where(s => s.Id == subscription.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.PaymentMethodReady, true), ct).ConfigureAwait(false);
        }
        return "applied: payment method ready";
    }

    private async Task SaveAsInvoiceTenantAsync(Invoice invoice, CancellationToken ct)
    {
        using (context.BeginTenantScope(invoice.TenantId))
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Stripe webhook was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
