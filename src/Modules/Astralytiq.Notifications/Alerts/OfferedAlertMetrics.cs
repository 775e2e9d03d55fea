using System.Collections;

namespace Astralytiq.Notifications.Alerts;

/// <summary>Whose rules a route serves: the organisation's, or the platform operator's (watching every tenant).</summary>
internal enum AlertScope
{
    Tenant,
    Platform,
}

/// <summary>
/// The metrics rules of the current caller can watch: every registered metric for an organisation; in the operator's
/// partition only those that read the whole platform (<see cref="IAlertMetric.ForPlatform"/>).
/// </summary>
internal sealed class OfferedAlertMetrics(IEnumerable<IAlertMetric> metrics, ITenantContext tenant) : IEnumerable<IAlertMetric>
{
    private readonly IReadOnlyList<IAlertMetric> _offered = PlatformPartition.IsCurrent(tenant) ? [.. metrics.Where(m => m.ForPlatform)] : [.. metrics];

    public IEnumerator<IAlertMetric> GetEnumerator() => _offered.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
