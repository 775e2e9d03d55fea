using System.Net;
using System.Text;
using System.Text.Json;
using Astralytiq.Billing.Subscriptions;
using Astralytiq.Contracts.Billing;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Billing;

/// <summary>
/// Stripe: the requests Stripe.net sends, checked by a stand-in for Stripe's API, and Stripe's webhook events built and
/// signed as Stripe documents them (t=timestamp, v1=HMAC-SHA256 of "timestamp.payload"): applied once, in any order, and
/// refused when the signature does not verify.
/// </summary>
public abstract class StripeTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private const string Webhook = "api/v1/public/billing/stripe/webhook";

    private static string Event(string id, string type, DateTimeOffset created, object data) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = "2025-10-29.clover",
        ["created"] = created.ToUnixTimeSeconds(),
        ["type"] = type,
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new { id = (string?)null, idempotency_key = (string?)null },
        ["data"] = new { @object = data },
    });

    private static Dictionary<string, object?> StripeInvoice(string id, Guid ours, string status) => new()
    {
        ["id"] = id, ["object"] = "invoice", ["status"] = status, ["currency"] = "usd", ["livemode"] = false,
        ["metadata"] = new Dictionary<string, string> { ["astralytiq_invoice_id"] = ours.ToString() },
    };

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string payload, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Webhook) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        using var response = await Platform.NewClient().Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private DateTimeOffset Now() => Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    [Fact]
    public async Task A_stripe_tenant_sets_up_a_card_and_each_invoice_is_charged_with_its_lines_and_paid_by_a_signed_event()
    {
        var ops = await Platform.NewOperatorAsync();
        var tenant = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.Billing.SetPaymentProviderAsync(tenant.Id, "paypal")).Status);
        Assert.Equal("stripe", (await ops.Operator.Billing.SetPaymentProviderAsync(tenant.Id, "stripe")).EnsureValue().Provider);
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("pro", "card customer"))).EnsureSuccess();
        (await ops.Operator.Billing.SetTaxAsync(tenant.Id, new TenantTaxRequest(10))).EnsureSuccess();

        // No card yet: the portal link is a Checkout session in set-up mode for the organisation's new Stripe customer.
        var first = (await tenant.Admin.Billing.PortalAsync()).EnsureValue();
        Assert.StartsWith("https://checkout.stripe.com/", first.Url, StringComparison.Ordinal);
        (await tenant.Admin.Billing.PortalAsync()).EnsureSuccess();
        var customers = Platform.Stripe.To("/v1/customers").Where(c => c.Form.GetValueOrDefault("metadata[astralytiq_tenant_id]") == tenant.Id.ToString()).ToList();
        var customer = JsonDocument.Parse(Assert.Single(customers).Answer).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(tenant.AdminUser.Email, customers[0].Form["email"]);
        var sessions = Platform.Stripe.To("/v1/checkout/sessions").Where(c => c.Form.GetValueOrDefault("customer") == customer).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("setup", s.Form["mode"]));

        // Checkout completes: Stripe's signed event says the card is there; the portal link is now Stripe's customer portal.
        var setUp = Event("evt_setup_" + customer, "checkout.session.completed", Now(),
            new Dictionary<string, object?> { ["id"] = "cs_test_x", ["object"] = "checkout.session", ["mode"] = "setup", ["customer"] = customer, ["status"] = "complete", ["livemode"] = false });
        var (setUpStatus, setUpBody) = await PostAsync(setUp, StripeStandIn.Sign(setUp, Now()));
        Assert.Equal(HttpStatusCode.OK, setUpStatus);
        Assert.Contains("payment method ready", setUpBody, StringComparison.Ordinal);
        Assert.True((await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue().PaymentMethodReady);
        Assert.StartsWith("https://billing.stripe.com/", (await tenant.Admin.Billing.PortalAsync()).EnsureValue().Url, StringComparison.Ordinal);

        // The period closes: the invoice goes to Stripe with the same lines (tax included), finalized to be charged.
        var end = (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue().PeriodEnd;
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            await scope.ServiceProvider.GetRequiredService<SubscriptionService>().AdvanceAsync(tenant.Id, end.AddHours(1), CancellationToken.None);
        }
        var ours = Assert.Single((await tenant.Admin.Billing.ListInvoicesAsync()).EnsureValue().Items);
        var invoiceCall = Assert.Single(Platform.Stripe.To("/v1/invoices"), c => c.Form.GetValueOrDefault("metadata[astralytiq_invoice_id]") == ours.Id.ToString());
        var stripeInvoice = JsonDocument.Parse(invoiceCall.Answer).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(("charge_automatically", "usd", customer), (invoiceCall.Form["collection_method"], invoiceCall.Form["currency"], invoiceCall.Form["customer"]));
        var items = Platform.Stripe.To("/v1/invoiceitems").Where(c => c.Form.GetValueOrDefault("invoice") == stripeInvoice).ToList();
        Assert.Equal(ours.TotalCents, items.Sum(i => long.Parse(i.Form["amount"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(items, i => i.Form["description"] == "Tax at 10 %");
        Assert.Single(Platform.Stripe.To($"/v1/invoices/{stripeInvoice}/finalize"));
        Assert.Equal("open", ours.Status);

        // Paid: the signed event marks it paid; the same event again changes nothing and says so.
        var paidAt = Now();
        var paid = Event("evt_paid_" + stripeInvoice, "invoice.paid", paidAt, StripeInvoice(stripeInvoice, ours.Id, "paid"));
        var (paidStatus, paidBody) = await PostAsync(paid, StripeStandIn.Sign(paid, Now()));
        Assert.Equal(HttpStatusCode.OK, paidStatus);
        Assert.Contains("paid", paidBody, StringComparison.Ordinal);
        var after = (await tenant.Admin.Billing.GetInvoiceAsync(ours.Id)).EnsureValue().Invoice;
        Assert.Equal("paid", after.Status);
        var (againStatus, againBody) = await PostAsync(paid, StripeStandIn.Sign(paid, Now()));
        Assert.Equal((HttpStatusCode.OK, true), (againStatus, againBody.Contains("duplicate", StringComparison.Ordinal)));

        // Out of order: a failure from before the payment arrives late and changes nothing.
        var late = Event("evt_failed_" + stripeInvoice, "invoice.payment_failed", paidAt.AddMinutes(-5), StripeInvoice(stripeInvoice, ours.Id, "open"));
        var (lateStatus, lateBody) = await PostAsync(late, StripeStandIn.Sign(late, Now()));
        Assert.Equal(HttpStatusCode.OK, lateStatus);
        Assert.Contains("ignored", lateBody, StringComparison.Ordinal);
        var still = (await tenant.Admin.Billing.GetInvoiceAsync(ours.Id)).EnsureValue().Invoice;
        Assert.Equal(("paid", (string?)null), (still.Status, still.PaymentError));

        // Forged or stale: refused with 400, nothing done (a voided event with a wrong secret, a changed body, an old signature).
        var voided = Event("evt_void_" + stripeInvoice, "invoice.voided", Now(), StripeInvoice(stripeInvoice, ours.Id, "void"));
        foreach (var (payload, signature) in new[]
        {
            (voided, StripeStandIn.Sign(voided, Now(), "whsec_someone_else")),
            (voided.Replace("invoice.voided", "invoice.paid", StringComparison.Ordinal), StripeStandIn.Sign(voided, Now())),
            (voided, StripeStandIn.Sign(voided, Now().AddMinutes(-10))),
            (voided, "t=1,v1=00"),
            (voided, string.Empty),
        })
        {
            var (status, body) = await PostAsync(payload, signature);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("does not verify", body, StringComparison.Ordinal);
        }
        // An event Astralytiq does not act on is taken (200), so Stripe stops sending it.
        var other = Event("evt_other_" + stripeInvoice, "customer.updated", Now(), new Dictionary<string, object?> { ["id"] = customer, ["object"] = "customer", ["livemode"] = false });
        var (otherStatus, otherBody) = await PostAsync(other, StripeStandIn.Sign(other, Now()));
        Assert.Equal((HttpStatusCode.OK, true), (otherStatus, otherBody.Contains("ignored", StringComparison.Ordinal)));
        Assert.Equal("paid", (await tenant.Admin.Billing.GetInvoiceAsync(ours.Id)).EnsureValue().Invoice.Status);
        Assert.Empty(Platform.Stripe.Problems);
    }

    [Fact]
    public async Task A_failed_card_payment_is_shown_and_told_to_the_admins_and_a_later_payment_clears_it()
    {
        var ops = await Platform.NewOperatorAsync();
        var tenant = await Platform.NewTenantAsync();
        (await ops.Operator.Billing.SetPaymentProviderAsync(tenant.Id, "stripe")).EnsureSuccess();
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest("enterprise", null))).EnsureSuccess();
        var end = (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue().PeriodEnd;
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            await scope.ServiceProvider.GetRequiredService<SubscriptionService>().AdvanceAsync(tenant.Id, end.AddHours(1), CancellationToken.None);
        }
        var ours = Assert.Single((await tenant.Admin.Billing.ListInvoicesAsync()).EnsureValue().Items);
        var stripeInvoice = JsonDocument.Parse(Assert.Single(Platform.Stripe.To("/v1/invoices"), c => c.Form.GetValueOrDefault("metadata[astralytiq_invoice_id]") == ours.Id.ToString()).Answer)
            .RootElement.GetProperty("id").GetString()!;

        var failed = Event("evt_fail_" + stripeInvoice, "invoice.payment_failed", Now(), StripeInvoice(stripeInvoice, ours.Id, "open"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(failed, StripeStandIn.Sign(failed, Now()))).Status);
        var shown = Assert.Single((await tenant.Admin.Billing.ListInvoicesAsync()).EnsureValue().Items);
        Assert.Equal("open", shown.Status);
        Assert.Contains("card payment failed", shown.PaymentError, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => (await tenant.Admin.Notifications.ListAsync()).EnsureValue().Items.Any(n => n.Kind == "billing.payment_failed"),
            TimeSpan.FromSeconds(10), "the failed payment in the Admin's inbox");

        var paid = Event("evt_paid2_" + stripeInvoice, "invoice.paid", Now().AddSeconds(1), StripeInvoice(stripeInvoice, ours.Id, "paid"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(paid, StripeStandIn.Sign(paid, Now()))).Status);
        var cleared = Assert.Single((await tenant.Admin.Billing.ListInvoicesAsync()).EnsureValue().Items);
        Assert.Equal(("paid", (string?)null), (cleared.Status, cleared.PaymentError));
    }
}

public sealed class StripeTests_Sqlite(SqlitePlatform platform) : StripeTests<SqlitePlatform>(platform);

public sealed class StripeTests_Postgres(PostgresPlatform platform) : StripeTests<PostgresPlatform>(platform);
