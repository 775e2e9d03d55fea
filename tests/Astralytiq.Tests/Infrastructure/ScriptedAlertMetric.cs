using System.Collections.Concurrent;
using Astralytiq.Platform.Alerting;
using Astralytiq.Platform.Tenancy;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// A metric whose value a test sets for its own tenant (<see cref="Set"/>), so alert rules can be driven through any
/// series; registered on every test host as <c>test_scripted</c>, beside the platform's own metrics.
/// </summary>
public sealed class ScriptedAlertMetric(ITenantContext tenant) : IAlertMetric
{
    public const string MetricName = "test_scripted";

    private static readonly ConcurrentDictionary<Guid, double?> Values = new();

    public string Name => MetricName;

    public string Description => "A value the tests set";

    public string Unit => "count";

    public static void Set(Guid tenantId, double? value) => Values[tenantId] = value;

    public Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(tenant.TenantId is { } id && Values.TryGetValue(id, out var value) ? value : null);
}
