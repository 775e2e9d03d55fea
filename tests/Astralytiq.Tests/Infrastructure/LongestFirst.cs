using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(Astralytiq.Tests.Infrastructure.LongestFirst))]

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// Starts the longest test classes first (longest-processing-time scheduling): with two cores and four parallel
/// collections, a long class started last is the whole run's tail. The weights are the classes' measured seconds
/// under load (docs/performance.md, "Test suite"); a class not listed counts as short and keeps its usual order.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private static readonly (string Name, int Seconds)[] Measured =
    [
        // Browser tests run one after another in one collection: started first, beside everything else.
        ("Browser", 400), ("Server process", 140), ("MlProperties_", 90), ("HostileInputProperties_", 90), ("LineageProperties_", 75), ("ProcessHardeningTests", 47),
        ("HealthTests_", 80), ("ModuleIsolationTests_", 44), ("FreshnessProperties_", 42), ("TelemetryTests_", 40), ("RegistryTests_", 34), ("IdentityProperties_", 33), ("LiveDashboardProperties_", 24), ("HardeningTests_", 23),
        ("IngestProperties", 23), ("DatasetTests_", 17), ("TransformEngineProperties", 17), ("ResetExpiryProperties", 16), ("DataProperties_", 14),
        ("TransformProperties_", 10), ("TransformTests_", 10), ("DashboardProperties_", 10), ("ModelTests_", 8), ("AuthorizationProperties_", 8),
    ];

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : notnull, ITestCollection =>
        [.. testCollections.Select((c, i) => (c, i)).OrderByDescending(x => Weight(x.c.TestCollectionDisplayName)).ThenBy(x => x.i).Select(x => x.c)];

    private static int Weight(string name) =>
        Measured.Where(m => name.Contains(m.Name, StringComparison.Ordinal)).Select(m => m.Seconds).DefaultIfEmpty(0).Max();
}
