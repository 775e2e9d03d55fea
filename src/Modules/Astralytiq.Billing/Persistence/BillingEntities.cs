using Astralytiq.Platform.Scheduling;

namespace Astralytiq.Billing.Persistence;

/// <summary>One version of a plan, as stored; versions are never changed once tenants may be on them.</summary>
internal sealed class StoredPlan
{
    public Guid Id { get; set; }

    public string Code { get; set; } = string.Empty;

    public int Version { get; set; }

    public string Name { get; set; } = string.Empty;

    public long PriceCents { get; set; }

    public string Currency { get; set; } = "USD";

    /// <summary>{"metric": limit}.</summary>
    public string LimitsJson { get; set; } = "{}";

    /// <summary>Comma-separated feature names; null includes every feature.</summary>
    public string? Features { get; set; }

    /// <summary>{"metric": {"included": n, "cents": c, "per": p}}.</summary>
    public string OverageJson { get; set; } = "{}";

    public int TrialDays { get; set; }

    public bool Public { get; set; } = true;

    public bool Archived { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Guid? CreatedBy { get; set; }
}

/// <summary>
/// A tenant's subscription: the plan version it pays for, the current billing period (a calendar month, UTC), a change
/// due at the period's end, a trial, its tax rate and credit, and its billing details. It recurs (the kernel scheduler
/// claims it when <see cref="NextRunAt"/> comes: a trial reminder, a trial's end, a period to close), and at least hourly.
/// </summary>
internal sealed class Subscription : IRecurring
{
    public const string Active = "active";
    public const string Trialing = "trialing";

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string PlanCode { get; set; } = string.Empty;

    public int PlanVersion { get; set; }

    public string Status { get; set; } = Active;

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    public string? PendingPlanCode { get; set; }

    public int? PendingPlanVersion { get; set; }

    public bool CancelAtPeriodEnd { get; set; }

    public DateTimeOffset? TrialEndsAt { get; set; }

    public string? TrialReturnCode { get; set; }

    public int? TrialReturnVersion { get; set; }

    public DateTimeOffset? TrialReminderSentAt { get; set; }

    /// <summary>Tax in basis points (20 % = 2,000).</summary>
    public int TaxRateBasisPoints { get; set; }

    public long CreditBalanceCents { get; set; }

    public string? LegalName { get; set; }

    public string? BillingEmail { get; set; }

    public string? Address { get; set; }

    public string? TaxId { get; set; }

    public string Provider { get; set; } = "offline";

    public string? ProviderCustomerId { get; set; }

    public string? ProviderSubscriptionId { get; set; }

    /// <summary>The payment provider holds a payment method for the tenant (Stripe: a card set up through Checkout).</summary>
    public bool PaymentMethodReady { get; set; }

    /// <summary>Raised on every change: two changes made at once cannot both win.</summary>
    public int Revision { get; set; }

    public Guid? CreatedBy { get; set; }

    public string? Cron { get; set; } = "0 * * * *";

    public string? TimeZone { get; set; }

    public DateTimeOffset? NextRunAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A stretch of time on one plan version at one price: a period's base charge is the sum of its segments pro rata.</summary>
internal sealed class PlanSegment : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string PlanCode { get; set; } = string.Empty;

    public int PlanVersion { get; set; }

    public string PlanName { get; set; } = string.Empty;

    public long PriceCents { get; set; }

    public string Currency { get; set; } = "USD";

    public bool Trial { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    /// <summary>Null while it is the segment in force.</summary>
    public DateTimeOffset? EndsAt { get; set; }
}

/// <summary>Credit given (positive) or taken off an invoice (negative); the balance is on the subscription.</summary>
internal sealed class CreditEntry : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public long AmountCents { get; set; }

    public string Reason { get; set; } = string.Empty;

    public Guid? InvoiceId { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An invoice for one tenant and one period; numbered without gaps across the platform.</summary>
internal sealed class Invoice : ITenantOwned
{
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Void = "void";

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Number { get; set; } = string.Empty;

    public long Sequence { get; set; }

    /// <summary>"yyyy-MM": one invoice per tenant and period.</summary>
    public string Period { get; set; } = string.Empty;

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    public string Currency { get; set; } = "USD";

    public long SubtotalCents { get; set; }

    public int TaxRateBasisPoints { get; set; }

    public long TaxCents { get; set; }

    public long CreditCents { get; set; }

    public long TotalCents { get; set; }

    public string Status { get; set; } = Open;

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public string Provider { get; set; } = "offline";

    public string? ProviderInvoiceId { get; set; }

    /// <summary>When the provider last told of the invoice (its event's time): an older event never undoes a newer one.</summary>
    public DateTimeOffset? ProviderUpdatedAt { get; set; }

    /// <summary>Why the provider's last attempt to collect failed; cleared when it is paid.</summary>
    public string? PaymentError { get; set; }

    public string BillTo { get; set; } = string.Empty;

    public string? BillToEmail { get; set; }

    public string? BillToAddress { get; set; }

    public string? BillToTaxId { get; set; }

    public string? EmailedTo { get; set; }

    public DateTimeOffset? EmailedAt { get; set; }

    public List<InvoiceLine> Lines { get; set; } = [];
}

internal sealed class InvoiceLine : ITenantOwned
{
    public const string Base = "base";
    public const string Overage = "overage";
    public const string Tax = "tax";
    public const string Credit = "credit";

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid InvoiceId { get; set; }

    public int Position { get; set; }

    public string Kind { get; set; } = Base;

    public string Description { get; set; } = string.Empty;

    public string? Metric { get; set; }

    public long Quantity { get; set; }

    public long AmountCents { get; set; }
}

/// <summary>The platform's invoice counter: raised in the transaction that writes the invoice, so numbers have no gaps.</summary>
internal sealed class InvoiceSequence
{
    public const string Invoices = "invoices";

    public string Id { get; set; } = Invoices;

    public long Last { get; set; }
}

/// <summary>A payment provider's webhook event, kept by its id so a delivery repeated by the provider is handled once.</summary>
internal sealed class ProviderEvent
{
    public string Id { get; set; } = string.Empty;

    public string Provider { get; set; } = string.Empty;

    public string Type { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>What it did: "applied", "ignored: …".</summary>
    public string Outcome { get; set; } = string.Empty;
}
