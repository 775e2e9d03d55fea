using System.ComponentModel.DataAnnotations;

namespace Astralytiq.Billing.Payments;

/// <summary>
/// Where payments happen. Astralytiq stays the record of plans, subscriptions, metering and invoices (so an invoice always
/// equals its priced events, P30); a provider collects the money. The offline provider (the default) keeps everything on
/// this machine: invoices are issued and emailed and the operator marks them paid. Stripe holds the payment method (set up
/// through Checkout, managed in its customer portal), charges each invoice Astralytiq issues, and reports back by signed
/// webhooks.
/// </summary>
internal interface IPaymentProvider
{
    /// <summary>"offline", "stripe".</summary>
    string Name { get; }

    /// <summary>Where the organisation manages its payment method (or first gives one); a message when there is nowhere.</summary>
    Task<PaymentPortalResponse> PortalAsync(Subscription subscription, string returnUrl, CancellationToken ct);

    /// <summary>Hands an issued invoice to the provider to collect; returns the provider's id for it (null: nothing to hand over).</summary>
    Task<string?> CollectAsync(Invoice invoice, Subscription subscription, CancellationToken ct);
}

internal sealed class OfflinePaymentProvider(BillingSettings settings) : IPaymentProvider
{
    public const string Id = "offline";

    public string Name => Id;

    public Task<PaymentPortalResponse> PortalAsync(Subscription subscription, string returnUrl, CancellationToken ct) =>
        Task.FromResult(new PaymentPortalResponse(Name, null,
            "This platform bills by invoice: each month's invoice is emailed to the billing address and listed here."
            + (settings.PaymentInstructions is { } how ? " " + how : " The platform's operator records each payment when it arrives.")));

    public Task<string?> CollectAsync(Invoice invoice, Subscription subscription, CancellationToken ct) => Task.FromResult<string?>(null);
}

/// <summary><c>Astralytiq:Billing:Stripe</c>: the account's secret key, the webhook endpoint's signing secret, and (for tests) the API's address.</summary>
public sealed class StripeSettings
{
    public string? SecretKey { get; set; }

    public string? WebhookSecret { get; set; }

    /// <summary>Stripe's API; a stand-in's address in tests.</summary>
    [Url]
    public string ApiBase { get; set; } = "https://api.stripe.com";

    /// <summary>How old a signed webhook may be, in seconds (Stripe's default, 300).</summary>
    [Range(1, 3600)]
    public int ToleranceSeconds { get; set; } = 300;

    public bool Configured => !string.IsNullOrWhiteSpace(SecretKey) && !string.IsNullOrWhiteSpace(WebhookSecret);
}

/// <summary>The payment provider of a subscription, by its name; the offline one when that provider is not set up here.</summary>
internal sealed class PaymentProviders(IEnumerable<IPaymentProvider> providers)
{
    public IPaymentProvider For(Subscription subscription) =>
        providers.FirstOrDefault(p => p.Name == subscription.Provider) ?? providers.First(p => p.Name == OfflinePaymentProvider.Id);

    public IReadOnlyList<string> Names => [.. providers.Select(p => p.Name)];
}
