using Astralytiq.Billing.Invoices;
using Astralytiq.Billing.Payments;
using Astralytiq.Billing.Plans;
using Astralytiq.Billing.Subscriptions;
using Astralytiq.Platform.Scheduling;
using Microsoft.Extensions.Configuration;

namespace Astralytiq.Billing;

/// <summary>
/// Billing: the versioned plan catalog (operators edit it; quotas, features and rates read it through the kernel's
/// <see cref="PlanSettings"/>), subscriptions (upgrades at once and pro rata, downgrades and cancellations at the period's
/// end, trials with a reminder), invoices per tenant and period (gapless numbers, tax, credit, PDF, email) and the
/// payment provider (offline by default).
/// </summary>
public static class BillingModule
{
    public static IServiceCollection AddBillingModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<BillingDbContext, BillingSqliteDbContext, BillingPostgresDbContext>(configuration, BillingDbContext.Module);
        var settings = SettingsBinder.Bind<BillingSettings>(configuration, "Astralytiq:Billing");
        services.AddSingleton(settings);
        services.AddScoped<PlanStore>();
        services.AddScoped<IStartupTask, PlanCatalogStartup>();
        services.AddHostedService<PlanCatalogRefresher>();
        services.AddScoped<SubscriptionService>();
        services.AddScoped<InvoiceIssuer>();
        services.AddScoped<IPaymentProvider, OfflinePaymentProvider>();
        var stripe = settings.Stripe;
        if (settings.Provider == StripePaymentProvider.Id && !stripe.Configured)
        {
            throw new InvalidSettingException("Setting Astralytiq:Billing:Provider is stripe, but Astralytiq:Billing:Stripe:SecretKey and WebhookSecret are not both set");
        }
        services.AddSingleton(stripe);
        if (stripe.Configured)
        {
            services.AddSingleton<Stripe.IStripeClient>(new Stripe.StripeClient(apiKey: stripe.SecretKey, apiBase: stripe.ApiBase.TrimEnd('/')));
            services.AddScoped<IPaymentProvider, StripePaymentProvider>();
            services.AddScoped<StripeWebhooks>();
        }
        services.AddScoped<PaymentProviders>();
        services.AddRecurring<BillingDbContext, Subscription, SubscriptionOccurrences>();
        return services;
    }

    public static IEndpointRouteBuilder MapBillingEndpoints(this IEndpointRouteBuilder routes)
    {
        BillingEndpoints.MapTenant(routes.MapGroup("/billing").WithTags("Billing").ForModule(BillingDbContext.Module).ProducesErrors(401, 403, 429));
        BillingEndpoints.MapOperator(routes);
        return routes;
    }
}
