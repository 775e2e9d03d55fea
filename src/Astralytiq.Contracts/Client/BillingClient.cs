using Astralytiq.Contracts.Billing;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>The organisation's subscription, invoices and billing details.</summary>
public sealed class BillingClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<SubscriptionResponse>> GetSubscriptionAsync(CancellationToken ct = default) =>
        Api.SendAsync<SubscriptionResponse>(HttpMethod.Get, "api/v1/billing/subscription", null, ct);

    public Task<ApiResponse<ChangeSubscriptionResponse>> ChangePlanAsync(string plan, CancellationToken ct = default) =>
        Api.SendAsync<ChangeSubscriptionResponse>(HttpMethod.Post, "api/v1/billing/subscription/change", new ChangeSubscriptionRequest(plan), ct);

    public Task<ApiResponse<ChangeSubscriptionResponse>> CancelAsync(CancellationToken ct = default) =>
        Api.SendAsync<ChangeSubscriptionResponse>(HttpMethod.Post, "api/v1/billing/subscription/cancel", null, ct);

    public Task<ApiResponse<ChangeSubscriptionResponse>> ReactivateAsync(CancellationToken ct = default) =>
        Api.SendAsync<ChangeSubscriptionResponse>(HttpMethod.Post, "api/v1/billing/subscription/reactivate", null, ct);

    public Task<ApiResponse<BillingProfileDto>> GetProfileAsync(CancellationToken ct = default) =>
        Api.SendAsync<BillingProfileDto>(HttpMethod.Get, "api/v1/billing/profile", null, ct);

    public Task<ApiResponse<BillingProfileDto>> UpdateProfileAsync(BillingProfileDto profile, CancellationToken ct = default) =>
        Api.SendAsync<BillingProfileDto>(HttpMethod.Put, "api/v1/billing/profile", profile, ct);

    public Task<ApiResponse<Page<InvoiceSummaryDto>>> ListInvoicesAsync(int offset = 0, int limit = 50, CancellationToken ct = default) =>
        Api.SendAsync<Page<InvoiceSummaryDto>>(HttpMethod.Get, $"api/v1/billing/invoices?offset={offset}&limit={limit}", null, ct);

    public Task<ApiResponse<InvoiceResponse>> GetInvoiceAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<InvoiceResponse>(HttpMethod.Get, $"api/v1/billing/invoices/{id}", null, ct);

    public Task<ApiResponse<byte[]>> DownloadInvoiceAsync(Guid id, CancellationToken ct = default) =>
        Api.SendAsync<byte[]>(HttpMethod.Get, $"api/v1/billing/invoices/{id}/pdf", null, ct);

    public Task<ApiResponse<PaymentPortalResponse>> PortalAsync(CancellationToken ct = default) =>
        Api.SendAsync<PaymentPortalResponse>(HttpMethod.Get, "api/v1/billing/portal", null, ct);
}

/// <summary>The platform operator's plans, subscriptions, credits and invoices.</summary>
public sealed class OperatorBillingClient(AstralytiqClient client) : AreaClient(client)
{
    public Task<ApiResponse<IReadOnlyList<PlanResponse>>> ListPlansAsync(bool allVersions = false, CancellationToken ct = default) =>
        Api.SendAsync<IReadOnlyList<PlanResponse>>(HttpMethod.Get, "api/v1/operator/plans" + (allVersions ? "?all_versions=true" : string.Empty), null, ct);

    public Task<ApiResponse<PlanResponse>> CreatePlanAsync(SavePlanRequest request, CancellationToken ct = default) =>
        Api.SendAsync<PlanResponse>(HttpMethod.Post, "api/v1/operator/plans", request, ct);

    public Task<ApiResponse<PlanResponse>> UpdatePlanAsync(string code, SavePlanRequest request, CancellationToken ct = default) =>
        Api.SendAsync<PlanResponse>(HttpMethod.Put, $"api/v1/operator/plans/{Uri.EscapeDataString(code)}", request, ct);

    public Task<ApiResponse<SubscriptionResponse>> GetSubscriptionAsync(Guid tenantId, CancellationToken ct = default) =>
        Api.SendAsync<SubscriptionResponse>(HttpMethod.Get, $"api/v1/operator/tenants/{tenantId}/subscription", null, ct);

    public Task<ApiResponse<SubscriptionResponse>> GrantTrialAsync(Guid tenantId, GrantTrialRequest request, CancellationToken ct = default) =>
        Api.SendAsync<SubscriptionResponse>(HttpMethod.Post, $"api/v1/operator/tenants/{tenantId}/trial", request, ct);

    public Task<ApiResponse<SubscriptionResponse>> SetTaxAsync(Guid tenantId, TenantTaxRequest request, CancellationToken ct = default) =>
        Api.SendAsync<SubscriptionResponse>(HttpMethod.Put, $"api/v1/operator/tenants/{tenantId}/tax", request, ct);

    public Task<ApiResponse<SubscriptionResponse>> GrantCreditAsync(Guid tenantId, GrantCreditRequest request, CancellationToken ct = default) =>
        Api.SendAsync<SubscriptionResponse>(HttpMethod.Post, $"api/v1/operator/tenants/{tenantId}/credits", request, ct);

    public Task<ApiResponse<Page<InvoiceSummaryDto>>> ListInvoicesAsync(Guid tenantId, CancellationToken ct = default) =>
        Api.SendAsync<Page<InvoiceSummaryDto>>(HttpMethod.Get, $"api/v1/operator/tenants/{tenantId}/invoices", null, ct);

    public Task<ApiResponse<SubscriptionResponse>> SetPaymentProviderAsync(Guid tenantId, string provider, CancellationToken ct = default) =>
        Api.SendAsync<SubscriptionResponse>(HttpMethod.Put, $"api/v1/operator/tenants/{tenantId}/payment-provider", new SetPaymentProviderRequest(provider), ct);

    public Task<ApiResponse<InvoiceSummaryDto>> MarkPaidAsync(Guid invoiceId, CancellationToken ct = default) =>
        Api.SendAsync<InvoiceSummaryDto>(HttpMethod.Post, $"api/v1/operator/invoices/{invoiceId}/paid", null, ct);
}
