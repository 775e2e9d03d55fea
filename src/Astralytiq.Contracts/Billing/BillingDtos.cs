using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Billing;

/// <summary>
/// The organisation's subscription: the plan and version it is on, its state (<c>active</c> or <c>trialing</c>), the
/// billing period (a calendar month, UTC), a change due at the period's end (a downgrade or a cancellation), the trial's
/// end, the tax rate and credit that its invoices apply, and what this period's invoice comes to so far.
/// </summary>
public sealed record SubscriptionResponse(
    PlanResponse Plan,
    string Status,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    PendingChangeDto? Pending,
    DateTimeOffset? TrialEndsAt,
    string? TrialReturnsTo,
    decimal TaxRatePercent,
    long CreditBalanceCents,
    string Currency,
    string Provider,
    InvoicePreviewDto Upcoming)
{
    /// <summary>The payment provider holds a payment method (with Stripe: a card); always false with the offline provider.</summary>
    public bool PaymentMethodReady { get; init; }
}

/// <summary>A change due at <c>at</c>: to another plan (a downgrade) or, when <c>cancel</c>, back to the free plan.</summary>
public sealed record PendingChangeDto(string Plan, string PlanName, DateTimeOffset At, bool Cancel);

/// <summary>What this period's invoice comes to so far (its lines as they would be if the period ended now).</summary>
public sealed record InvoicePreviewDto(IReadOnlyList<InvoiceLineDto> Lines, long SubtotalCents, long TaxCents, long CreditCents, long TotalCents);

/// <summary>Move to another plan: a dearer one at once (charged pro rata), a cheaper one at the end of the period.</summary>
public sealed record ChangeSubscriptionRequest(string Plan);

/// <summary>What a change did (<c>changed</c> now, <c>scheduled</c> for the period's end, <c>unchanged</c>) and the subscription after it.</summary>
public sealed record ChangeSubscriptionResponse(string Outcome, string Message, SubscriptionResponse Subscription);

/// <summary>Who invoices are made out to and sent to.</summary>
public sealed record BillingProfileDto(string? LegalName, string? BillingEmail, string? Address, string? TaxId);

public sealed record InvoiceSummaryDto(
    Guid Id,
    string Number,
    string Period,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset IssuedAt,
    DateTimeOffset DueAt,
    string Status,
    string Currency,
    long TotalCents,
    DateTimeOffset? PaidAt)
{
    /// <summary>Why the payment provider's last attempt to collect it failed; null once paid.</summary>
    public string? PaymentError { get; init; }
}

/// <summary>A line of an invoice: <c>kind</c> is base (the plan's price for the days on it), overage, tax or credit.</summary>
public sealed record InvoiceLineDto(string Kind, string Description, string? Metric, long Quantity, long AmountCents);

public sealed record InvoiceResponse(
    InvoiceSummaryDto Invoice,
    IReadOnlyList<InvoiceLineDto> Lines,
    long SubtotalCents,
    decimal TaxRatePercent,
    long TaxCents,
    long CreditCents,
    string BillTo,
    string? BillToEmail,
    string? BillToAddress,
    string? BillToTaxId,
    string? EmailedTo);

/// <summary>A plan as the operator writes it: each save of an existing plan makes a new version (tenants keep theirs).</summary>
public sealed record SavePlanRequest(
    string? Code,
    string? Name,
    long? MonthlyPriceCents,
    string? Currency,
    IReadOnlyDictionary<string, long>? Limits,
    IReadOnlyList<string>? Features,
    IReadOnlyList<PlanOverageDto>? Overage,
    int? TrialDays,
    bool? Public,
    bool? Archived);

/// <summary>Give a tenant a trial of a plan for some days (default: the plan's trial length); it returns to its plan after.</summary>
public sealed record GrantTrialRequest(string Plan, int? Days);

/// <summary>The tax rate a tenant's invoices apply (percent, 0 to 100, up to two decimals).</summary>
public sealed record TenantTaxRequest(decimal TaxRatePercent);

/// <summary>Credit for a tenant (cents, positive), taken off its next invoices.</summary>
public sealed record GrantCreditRequest(long AmountCents, string? Reason);

/// <summary>Where the organisation manages its payment method (the payment provider's portal); null with the offline provider.</summary>
public sealed record PaymentPortalResponse(string Provider, string? Url, string Message);

/// <summary>How a tenant pays: <c>offline</c> (by invoice) or <c>stripe</c> (charged to its card).</summary>
public sealed record SetPaymentProviderRequest(string Provider);

/// <summary>What a payment provider's webhook did: received, and the outcome ("applied: …", "ignored: …", "duplicate: …").</summary>
public sealed record WebhookReceipt(bool Received, string Outcome);
