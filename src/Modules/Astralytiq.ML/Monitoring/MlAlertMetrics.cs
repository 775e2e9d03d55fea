using Astralytiq.ML.Deployments;
using Astralytiq.Platform.Alerting;

namespace Astralytiq.ML.Monitoring;

/// <summary>The largest share of features that drifted in a drift window of any of the organisation's deployments ending within the alert window.</summary>
internal sealed class DeploymentDriftMetric(MlDbContext db) : IAlertMetric
{
    public string Name => "deployment_drift";

    public string Description => "The largest share of a deployment's features that drifted, in the drift windows that ended in the window, in percent";

    public string Unit => "percent";

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - window;
        var shares = await db.DriftResults.AsNoTracking().Where(r => r.WindowEnd > since && r.WindowEnd <= now).Select(r => r.DriftedShare).ToListAsync(cancellationToken).ConfigureAwait(false);
        return shares.Count == 0 ? null : 100 * shares.Max();
    }
}

/// <summary>Requests through the organisation's deployments (shadow copies left out) that failed, as a share of all in the window.</summary>
internal sealed class DeploymentErrorRateMetric(MlDbContext db) : IAlertMetric
{
    public string Name => "deployment_error_rate";

    public string Description => "Predictions through deployments that failed (refused input, a model that could not load) as a share of all, in percent";

    public string Unit => "percent";

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = DeploymentMeter.MinuteOf(now - window);
        var totals = await db.DeploymentStats.AsNoTracking().Where(s => !s.Shadow && s.Minute >= since && s.Minute <= now)
            .Select(s => new { s.Requests, s.Errors }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var requests = totals.Sum(t => t.Requests);
        return requests == 0 ? null : 100.0 * totals.Sum(t => t.Errors) / requests;
    }
}

/// <summary>
/// How much worse than at training a deployment's served version did on the labelled predictions made in the window
/// (by the deployment task's headline metric), as a share of the training figure; the largest over deployments and versions.
/// </summary>
internal sealed class DeploymentQualityDropMetric(MlDbContext db, FeedbackService feedback) : IAlertMetric
{
    /// <summary>Fewer labelled predictions than this in a window say too little to alert on.</summary>
    public const int MinLabelled = 10;

    public string Name => "deployment_quality_drop";

    public string Description => $"How much worse than at training a deployment did on the labelled predictions made in the window (at least {MinLabelled}), in percent of its training figure";

    public string Unit => "percent";

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - window;
        var deployments = await db.Feedback.AsNoTracking().Where(f => f.PredictedAt >= since && f.PredictedAt < now).Select(f => f.DeploymentId).Distinct()
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        double? worst = null;
        foreach (var id in deployments)
        {
            var task = await db.Deployments.AsNoTracking().Where(d => d.Id == id).Select(d => d.Task).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (task is null)
            {
                continue;
            }
            var metric = LiveMetrics.Default(task);
            var rows = await feedback.LabelledAsync(id, since, now, cancellationToken, servedOnly: true).ConfigureAwait(false);
            foreach (var version in rows.GroupBy(r => r.VersionId).Where(g => g.Count() >= MinLabelled))
            {
                var json = await db.Versions.AsNoTracking().Where(v => v.Id == version.Key).Select(v => v.MetricsJson).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                var trained = json is null ? null : LiveMetrics.Value(JsonSerializer.Deserialize<ModelMetricsDto>(json, ApiJson.Options)!, metric);
                var live = LiveMetrics.Value(LiveMetrics.Compute(task, [.. version.Select(r => r.Labelled)]), metric);
                if (trained is { } t && live is { } l && Math.Abs(t) > 1e-12)
                {
                    worst = Math.Max(worst ?? double.MinValue, 100 * LiveMetrics.Worsening(metric, l, t) / Math.Abs(t));
                }
            }
        }
        return worst;
    }
}

/// <summary>Retraining runs of the organisation's deployments that failed (the challenger could not train or be compared) in the window.</summary>
internal sealed class RetrainingFailuresMetric(MlDbContext db) : IAlertMetric
{
    public string Name => "retraining_failures";

    public string Description => "Retrainings of deployments that failed (the challenger could not train or be compared) in the window";

    public string Unit => "count";

    public async Task<double?> ReadAsync(TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - window;
        return await db.RetrainingRuns.AsNoTracking().CountAsync(r => r.Status == RetrainingStatus.Failed && r.DecidedAt > since && r.DecidedAt <= now, cancellationToken).ConfigureAwait(false);
    }
}
