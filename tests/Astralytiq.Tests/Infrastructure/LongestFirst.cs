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
        ("Browser", 400), ("DataProperties_", 110), ("LineageProperties_", 125), ("FreshnessProperties_", 70), ("MlProperties_", 150), ("ExplanationProperties_", 40), ("HostileInputProperties_", 140), ("IdentityProperties_", 100),
        ("ReportProperties_", 90), ("TransformProperties_", 90), ("ProcessHardeningTests", 80),
        ("RegistryTests_", 60), ("AuditProperties_", 45), ("LiveDashboardProperties_", 40), ("HardeningTests_", 40),
        ("DatasetTests_", 35), ("ModelTests_", 30),
    ];

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : notnull, ITestCollection =>
        [.. testCollections.Select((c, i) => (c, i)).OrderByDescending(x => Weight(x.c.TestCollectionDisplayName)).ThenBy(x => x.i).Select(x => x.c)];

    private static int Weight(string name) =>
        Measured.Where(m => name.Contains(m.Name, StringComparison.Ordinal)).Select(m => m.Seconds).DefaultIfEmpty(0).Max();
}
