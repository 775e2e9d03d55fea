using Astralytiq.Billing.Invoices;
using Astralytiq.Platform.Scheduling;

namespace Astralytiq.Billing.Subscriptions;

/// <summary>A subscription came due (a trial reminder, a trial's end, a period to close, or the hourly look): brings it up to now.</summary>
internal sealed class SubscriptionOccurrences(SubscriptionService subscriptions, InvoiceIssuer invoices, TimeProvider time) : IOccurrenceHandler<Subscription>
{
    public async Task StartAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await subscriptions.AdvanceAsync(occurrence.TenantId, occurrence.Due > now ? occurrence.Due : now, cancellationToken).ConfigureAwait(false);
        await invoices.DeliverPendingAsync(occurrence.TenantId, cancellationToken).ConfigureAwait(false);
    }
}
