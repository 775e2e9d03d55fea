namespace Astralytiq.Billing.Payments;

/// <summary>
/// Where payments happen. The offline provider (the default) keeps everything on this machine: invoices are issued and
/// emailed, and the operator marks them paid when the money arrives. Another provider (Stripe) takes the payment method
/// through its own portal and reports payments back by signed webhooks.
/// </summary>
internal interface IPaymentProvider
{
    /// <summary>"offline", "stripe".</summary>
    string Name { get; }

    /// <summary>Where the organisation manages its payment method; null when the provider has no portal.</summary>
    Task<PaymentPortalResponse> PortalAsync(Subscription subscription, string returnUrl, CancellationToken ct);
}

internal sealed class OfflinePaymentProvider(BillingSettings settings) : IPaymentProvider
{
    public string Name => "offline";

    public Task<PaymentPortalResponse> PortalAsync(Subscription subscription, string returnUrl, CancellationToken ct) =>
        Task.FromResult(new PaymentPortalResponse(Name, null,
            "This platform bills by invoice: each month's invoice is emailed to the billing address and listed here."
            + (settings.PaymentInstructions is { } how ? " " + how : " The platform's operator records each payment when it arrives.")));
}
