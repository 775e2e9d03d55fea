using Astralytiq.Billing.Payments;
using Astralytiq.Billing.Persistence;
using Astralytiq.Identity.Contracts;
using Astralytiq.Platform.Email;
using Astralytiq.Platform.Notifications;
using Astralytiq.Tenancy.Contracts;

namespace Astralytiq.Billing.Invoices;

/// <summary>
/// Prices a period (<see cref="InvoiceMath"/>) from the subscription's plan segments and the usage events recorded in it,
/// issues the invoice (numbered without gaps, in the caller's transaction), and delivers it (PDF by email to the billing
/// address or the Admins, and a notice in the app).
/// </summary>
internal sealed partial class InvoiceIssuer(
    BillingDbContext db,
    PlanSettings catalog,
    IUsageTotals usage,
    ITenantDirectory tenants,
    IServiceProvider services,
    BillingSettings settings,
    TimeProvider time,
    ILogger<InvoiceIssuer> logger)
{
    /// <summary>What the current period's invoice comes to if the period ended with the use recorded so far.</summary>
    public async Task<InvoicePreviewDto> PreviewAsync(Subscription subscription, DateTimeOffset now, CancellationToken ct)
    {
        var numbers = await NumbersAsync(subscription.TenantId, ct).ConfigureAwait(false);
        var draft = await DraftAsync(subscription, numbers, ct).ConfigureAwait(false);
        return new InvoicePreviewDto([.. Lines(draft, subscription.TaxRateBasisPoints, numbers).Select(l => new InvoiceLineDto(l.Kind, l.Description, l.Metric, l.Quantity, l.AmountCents))],
            draft.SubtotalCents, draft.TaxCents, draft.CreditCents, draft.TotalCents);
    }

    /// <summary>
    /// Adds the invoice of the subscription's current period to the context (to be saved by the caller's transaction),
    /// with its number drawn from the platform's counter in that transaction; null when the period comes to nothing (a
    /// free plan, a trial) or its invoice exists already.
    /// </summary>
    public async Task<Invoice?> IssueAsync(Subscription subscription, CancellationToken ct)
    {
        var period = subscription.PeriodStart.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (await db.Invoices.AnyAsync(i => i.TenantId == subscription.TenantId && i.Period == period, ct).ConfigureAwait(false))
        {
            return null;
        }
        var numbers = await NumbersAsync(subscription.TenantId, ct).ConfigureAwait(false);
        var draft = await DraftAsync(subscription, numbers, ct).ConfigureAwait(false);
        if (draft.Lines.All(l => l.AmountCents == 0))
        {
            return null;
        }
        // The counter moves in this transaction: if it rolls back, so does the number, and the next invoice takes it.
        await db.Sequences.Where(s => s.Id == InvoiceSequence.Invoices).ExecuteUpdateAsync(s => s.SetProperty(q => q.Last, q => q.Last + 1), ct).ConfigureAwait(false);
        var sequence = await db.Sequences.AsNoTracking().Where(s => s.Id == InvoiceSequence.Invoices).Select(s => s.Last).SingleAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var profile = await tenants.ProfileAsync(subscription.TenantId, ct).ConfigureAwait(false);
        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(now),
            TenantId = subscription.TenantId,
            Number = settings.InvoicePrefix + sequence.ToString("D6", CultureInfo.InvariantCulture),
            Sequence = sequence,
            Period = period,
            PeriodStart = subscription.PeriodStart,
            PeriodEnd = subscription.PeriodEnd,
            Currency = Plan(subscription).Currency,
            SubtotalCents = draft.SubtotalCents,
            TaxRateBasisPoints = subscription.TaxRateBasisPoints,
            TaxCents = draft.TaxCents,
            CreditCents = draft.CreditCents,
            TotalCents = draft.TotalCents,
            Status = draft.TotalCents == 0 ? Invoice.Paid : Invoice.Open,
            PaidAt = draft.TotalCents == 0 ? now : null,
            IssuedAt = now,
            DueAt = now.AddDays(settings.DueDays),
            Provider = subscription.Provider,
            BillTo = subscription.LegalName ?? profile?.Name ?? "—",
            BillToEmail = subscription.BillingEmail,
            BillToAddress = subscription.Address,
            BillToTaxId = subscription.TaxId,
        };
        var position = 0;
        foreach (var line in Lines(draft, subscription.TaxRateBasisPoints, numbers))
        {
            invoice.Lines.Add(new InvoiceLine
            {
                Id = Guid.CreateVersion7(now),
                TenantId = subscription.TenantId,
                InvoiceId = invoice.Id,
                Position = position++,
                Kind = line.Kind,
                Description = line.Description,
                Metric = line.Metric,
                Quantity = line.Quantity,
                AmountCents = line.AmountCents,
            });
        }
        db.Invoices.Add(invoice);
        if (draft.CreditCents > 0)
        {
            subscription.CreditBalanceCents -= draft.CreditCents;
            db.Credits.Add(new CreditEntry
            {
                Id = Guid.CreateVersion7(now), TenantId = subscription.TenantId, AmountCents = -draft.CreditCents,
                Reason = $"Taken off invoice {invoice.Number}", InvoiceId = invoice.Id, CreatedAt = now,
            });
        }
        return invoice;
    }

    /// <summary>
    /// Hands the invoice to the subscription's payment provider to collect (Stripe charges it), then sends its PDF to the
    /// billing address (else to the Admins) and tells the Admins in the app; a failure is logged and tried again on the
    /// subscription's next run.
    /// </summary>
    public async Task DeliverAsync(Invoice invoice, CancellationToken ct)
    {
        if (invoice.Provider != OfflinePaymentProvider.Id && invoice.ProviderInvoiceId is null && invoice.Status == Invoice.Open)
        {
            try
            {
                var subscription = await db.Subscriptions.SingleAsync(s => s.TenantId == invoice.TenantId, ct).ConfigureAwait(false);
                invoice.ProviderInvoiceId = await services.GetRequiredService<PaymentProviders>().For(subscription).CollectAsync(invoice, subscription, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCollectFailed(logger, invoice.Number, ex);
            }
        }
        if (invoice.EmailedAt is not null)
        {
            return;
        }
        try
        {
            var admins = await services.GetRequiredService<IUserDirectory>().AdminsAsync(ct).ConfigureAwait(false);
            var to = invoice.BillToEmail is { } email ? [email] : admins.Where(a => a.IsActive).Select(a => a.Email).ToList();
            var file = await RenderAsync(invoice, ct).ConfigureAwait(false);
            var numbers = await NumbersAsync(invoice.TenantId, ct).ConfigureAwait(false);
            var total = $"{invoice.Currency} {InvoiceMath.Money(invoice.TotalCents, numbers)}";
            var sender = services.GetRequiredService<IEmailSender>();
            foreach (var address in to)
            {
                await sender.SendAsync(new EmailMessage(address, $"Invoice {invoice.Number}: {total}",
                    $"Invoice {invoice.Number} for {InvoiceMath.Range(invoice.PeriodStart, invoice.PeriodEnd)} comes to {total}"
                    + (invoice.Status == Invoice.Paid ? ", paid in full by credit.\n" : $", due on {invoice.DueAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.\n")
                    + (settings.PaymentInstructions is { } how && invoice.Status == Invoice.Open ? "\n" + how + "\n" : string.Empty)
                    + "\nThe invoice is attached, and on the Billing page of Astralytiq.\n",
                    Attachments: [new EmailAttachment(file.FileName, "application/pdf", file.Content)]), ct).ConfigureAwait(false);
            }
            invoice.EmailedTo = to.Count == 0 ? null : string.Join(", ", to);
            invoice.EmailedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (admins.Count > 0)
            {
                await services.GetRequiredService<INotify>().NotifyAsync(new NotifyRequest("billing.invoice_issued", [.. admins.Select(a => a.Id)],
                    $"Invoice {invoice.Number}: {total}", $"For {InvoiceMath.Range(invoice.PeriodStart, invoice.PeriodEnd)}.", "/billing", NotifySeverity.Info,
                    new Dictionary<string, object?> { ["invoice"] = invoice.Number, ["total_cents"] = invoice.TotalCents, ["currency"] = invoice.Currency },
                    [NotifyChannels.InApp, NotifyChannels.Webhook]), ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeliveryFailed(logger, invoice.Number, ex);
        }
    }

    /// <summary>Invoices issued but not yet sent (the mail server was down): sent again, oldest first.</summary>
    public async Task DeliverPendingAsync(Guid tenantId, CancellationToken ct)
    {
        var since = time.GetUtcNow().AddDays(-7);
        var pending = await db.Invoices.Where(i => i.TenantId == tenantId && i.IssuedAt >= since
                && (i.EmailedAt == null || (i.Provider != OfflinePaymentProvider.Id && i.ProviderInvoiceId == null && i.Status == Invoice.Open && i.TotalCents > 0)))
            .OrderBy(i => i.Sequence).ToListAsync(ct).ConfigureAwait(false);
        foreach (var invoice in pending)
        {
            await DeliverAsync(invoice, ct).ConfigureAwait(false);
        }
    }

    public async Task<InvoiceFile> RenderAsync(Invoice invoice, CancellationToken ct)
    {
        var lines = invoice.Lines.Count > 0
            ? invoice.Lines
            : await db.InvoiceLines.AsNoTracking().Where(l => l.InvoiceId == invoice.Id).OrderBy(l => l.Position).ToListAsync(ct).ConfigureAwait(false);
        var profile = await tenants.ProfileAsync(invoice.TenantId, ct).ConfigureAwait(false);
        var numbers = await NumbersAsync(invoice.TenantId, ct).ConfigureAwait(false);
        return InvoicePdf.Render(invoice, [.. lines.OrderBy(l => l.Position)], profile, settings, numbers);
    }

    private async Task<InvoiceDraft> DraftAsync(Subscription subscription, IFormatProvider numbers, CancellationToken ct)
    {
        var (start, end) = (subscription.PeriodStart, subscription.PeriodEnd);
        var segments = await db.Segments.AsNoTracking()
            .Where(s => s.TenantId == subscription.TenantId && s.StartsAt < end && (s.EndsAt == null || s.EndsAt > start))
            .ToListAsync(ct).ConfigureAwait(false);
        // Segments this unit of work added or ended and has not saved yet count as they will be saved.
        var local = db.Segments.Local.Where(s => s.TenantId == subscription.TenantId).ToDictionary(s => s.Id);
        var all = segments.Where(s => !local.ContainsKey(s.Id)).Concat(local.Values.Where(s => s.StartsAt < end && (s.EndsAt is null || s.EndsAt > start))).ToList();
        var billed = all.Select(s => new BilledSegment(s.PlanName, s.PriceCents, s.Trial, s.StartsAt, s.EndsAt ?? end)).ToList();
        var totals = await usage.TotalsAsync(DateOnly.FromDateTime(start.UtcDateTime), DateOnly.FromDateTime(end.UtcDateTime).AddDays(-1), ct).ConfigureAwait(false);
        // Use past the included amounts is priced by the plan version in force at the period's end (the last segment
        // that starts before it), not by a plan changed to after it.
        var last = all.FirstOrDefault(s => s.StartsAt < end && (s.EndsAt is null || s.EndsAt >= end) && s.EndsAt != s.StartsAt);
        var inForce = last is null ? Plan(subscription) : catalog.Find(new PlanRef(last.PlanCode, last.PlanVersion)) ?? Plan(subscription);
        return InvoiceMath.Compute(start, end, billed, totals, inForce.Overage, subscription.TaxRateBasisPoints, subscription.CreditBalanceCents, numbers);
    }

    /// <summary>The draft's lines, then its tax and credit as lines of their own (what the invoice shows).</summary>
    private static IEnumerable<DraftLine> Lines(InvoiceDraft draft, int taxBasisPoints, IFormatProvider numbers)
    {
        foreach (var line in draft.Lines)
        {
            yield return line;
        }
        if (taxBasisPoints > 0)
        {
            yield return new DraftLine(InvoiceLine.Tax, $"Tax at {(taxBasisPoints / 100m).ToString("0.##", numbers)} %", null, 1, draft.TaxCents);
        }
        if (draft.CreditCents > 0)
        {
            yield return new DraftLine(InvoiceLine.Credit, "Credit", null, 1, -draft.CreditCents);
        }
    }

    private PlanDefinition Plan(Subscription s) => catalog.Find(new PlanRef(s.PlanCode, s.PlanVersion)) ?? catalog.Find(catalog.DefaultPlan)!;

    private async Task<IFormatProvider> NumbersAsync(Guid tenantId, CancellationToken ct)
    {
        var locale = await tenants.LocaleAsync(tenantId, ct).ConfigureAwait(false);
        try
        {
            return CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.GetCultureInfo("en-US");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice {Number} could not be handed to the payment provider; it is tried again on the subscription's next run")]
    private static partial void LogCollectFailed(ILogger logger, string number, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice {Number} could not be sent; it is tried again on the subscription's next run")]
    private static partial void LogDeliveryFailed(ILogger logger, string number, Exception exception);
}

/// <summary>An invoice's PDF.</summary>
internal sealed record InvoiceFile(string FileName, byte[] Content);
