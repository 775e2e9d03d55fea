namespace Astralytiq.ML.Deployments;

/// <summary>
/// A named endpoint of a tenant that serves its variants by weight. What it serves is <see cref="SpecJson"/> (a
/// <see cref="DeploymentSpecDto"/> with every version pinned or an alias to follow); every change is a new
/// <see cref="Revision"/> (the concurrency token: two changes at once, one wins, the other is told to reload).
/// </summary>
internal sealed class MlDeployment : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Description { get; set; }

    public string Task { get; set; } = string.Empty;

    public int Revision { get; set; }

    public string SpecJson { get; set; } = "{}";

    /// <summary>running, promoted, rolled_back, stopped; null without a canary rollout.</summary>
    public string? CanaryStatus { get; set; }

    public int CanaryStep { get; set; }

    public DateTimeOffset? CanaryStepAt { get; set; }

    public string? CanaryReason { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal static class CanaryStatus
{
    public const string Running = "running";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    public const string Stopped = "stopped";
}

internal static class RevisionKind
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Weights = "weights";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    public const string CanaryStep = "canary_step";
    public const string CanaryPromoted = "canary_promoted";
    public const string CanaryRolledBack = "canary_rolled_back";
    public const string Retrained = "retrained";
}

/// <summary>One change of a deployment, kept for good: what it served from then on, who changed it, when and why.</summary>
internal sealed class DeploymentRevision : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DeploymentId { get; set; }

    public int Revision { get; set; }

    public string Kind { get; set; } = string.Empty;

    public string? Reason { get; set; }

    /// <summary>Who made the change; null for the platform itself (a canary step or an automatic rollback).</summary>
    public Guid? ActorId { get; set; }

    public string SpecJson { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One node's traffic of one variant in one minute: counts, a latency histogram (<see cref="LatencyHistogram"/>
/// buckets) and the predictions' moments or class counts. Each node writes only its own rows (the totals so far),
/// so nodes never race; a read adds the nodes up.
/// </summary>
internal sealed class DeploymentStat : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DeploymentId { get; set; }

    public string Variant { get; set; } = string.Empty;

    public bool Shadow { get; set; }

    public DateTimeOffset Minute { get; set; }

    public string Node { get; set; } = string.Empty;

    public long Requests { get; set; }

    public long Rows { get; set; }

    public long Errors { get; set; }

    public double LatencySumMs { get; set; }

    /// <summary>Counts per latency bucket, comma-separated, trailing empty buckets left out.</summary>
    public string LatencyBuckets { get; set; } = string.Empty;

    public long ValueCount { get; set; }

    public double ValueSum { get; set; }

    public double ValueSumSquares { get; set; }

    public double? ValueMin { get; set; }

    public double? ValueMax { get; set; }

    public string? ClassesJson { get; set; }
}

/// <summary>
/// Latency buckets on a log scale: bucket i holds latencies up to 0.01 ms × 1.2^i (128 buckets reach past 24 hours).
/// A percentile read from them is the upper bound of the bucket it falls in: at most 20 % above the true value.
/// </summary>
internal static class LatencyHistogram
{
    public const int Buckets = 128;
    private const double First = 0.01;
    private const double Growth = 1.2;
    private static readonly double LogGrowth = Math.Log(Growth);

    public static int Bucket(double ms) =>
        ms <= First ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(Math.Log(ms / First) / LogGrowth - 1e-12));

    public static double UpperBound(int bucket) => First * Math.Pow(Growth, bucket);

    public static double? Percentile(long[] counts, double q)
    {
        var total = counts.Sum();
        if (total == 0)
        {
            return null;
        }
        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= Math.Max(1, rank))
            {
                return UpperBound(i);
            }
        }
        return UpperBound(counts.Length - 1);
    }

    public static string Write(long[] counts)
    {
        var last = Array.FindLastIndex(counts, c => c != 0);
        return last < 0 ? string.Empty : string.Join(',', counts.Take(last + 1).Select(c => c.ToString(CultureInfo.InvariantCulture)));
    }

    public static void AddTo(long[] into, string written)
    {
        if (written.Length == 0)
        {
            return;
        }
        var i = 0;
        foreach (var part in written.Split(','))
        {
            if (i < into.Length)
            {
                into[i++] += long.Parse(part, CultureInfo.InvariantCulture);
            }
        }
    }
}
