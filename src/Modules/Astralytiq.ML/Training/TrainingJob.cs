using Astralytiq.Platform.Quotas;
using Astralytiq.ML.Forecasting;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Training;

/// <summary>
/// Trains a version in the background: reads the dataset version, searches and fits, stores the sealed artifact
/// and writes the version's parameters, metrics, feature schema, leaderboard and importance once. A failure or a
/// cancellation marks the version failed with the reason; nothing half-made is ever ready.
/// </summary>
internal sealed partial class TrainingJob(
    MlDbContext db,
    IDatasetReader datasets,
    IDatasetLineage lineage,
    ModelArtifacts artifacts,
    Prediction.ServingLookup serving,
    MlEvents events,
    IAuditLog audit,
    IQuotas quotas,
    MlSettings settings,
    TimeProvider time,
    ILogger<TrainingJob> logger) : IJobHandler
{
    public const string Kind = "ml.train";

    /// <summary>The key a version's use of the plan is recorded under (models trained, seconds of training).</summary>
    public static string QuotaKey(Guid versionId) => "model-version:" + versionId.ToString("N");

    /// <summary>Meters the seconds a training took, rounded up, whatever its outcome: the compute was spent.</summary>
    private Task<Result<Unit>> MeterSecondsAsync(ModelVersion version, Stopwatch watch) =>
        quotas.RecordAsync(new UsageEvent(QuotaMetrics.TrainingSeconds, (long)Math.Ceiling(watch.Elapsed.TotalSeconds), QuotaKey(version.Id),
            version.CreatedBy?.ToString("N"), Enforce: false), CancellationToken.None);

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<TrainingWork>();
        var version = await db.Versions.SingleOrDefaultAsync(v => v.Id == work.VersionId, cancellationToken).ConfigureAwait(false)
            ?? throw new PermanentJobFailureException("the model version no longer exists");
        if (version.Status == VersionStatus.Ready && context.Attempt > 1)
        {
            // An earlier attempt finished and its node stopped before the job was marked done: that is the result.
            return new { model_id = version.ModelId, version = version.Version, algorithm = version.Algorithm, primary_metric = version.PrimaryMetric, primary_value = version.PrimaryValue };
        }
        if (version.Status != VersionStatus.Training)
        {
            throw new PermanentJobFailureException($"version {version.Version} is {version.Status}, not training");
        }
        var model = await db.Models.SingleAsync(m => m.Id == version.ModelId, cancellationToken).ConfigureAwait(false);
        var spec = JsonSerializer.Deserialize<TrainingSpec>(version.RequestJson, ApiJson.Options)!;
        var watch = Stopwatch.StartNew();
        try
        {
            await context.ReportProgressAsync(0.01, $"Reading {spec.Target} and {spec.Features.Count} feature(s)", cancellationToken).ConfigureAwait(false);
            var columns = spec.Task == "forecasting"
                ? new[] { spec.TimeColumn!, spec.Target }.Concat(spec.SeriesColumn is { } s ? [s] : []).ToList()
                : spec.Features.Append(spec.Target).ToList();
            var read = await datasets.ReadAsync(version.DatasetId, version.DatasetVersion, columns, settings.MaxTrainingRows, cancellationToken).ConfigureAwait(false);
            if (!read.IsSuccess)
            {
                throw new TrainingDataException(read.Error!.Message + (read.Error.Details is { Count: > 0 } d ? ": " + string.Join("; ", d.Select(x => x.Message)) : string.Empty));
            }
            var table = read.Value;
            using var finish = new CancellationTokenSource();
            List<LeaderboardEntryDto>? board = null;
            async Task Progress(int trial, int trials, string message)
            {
                await context.ReportProgressAsync(0.05 + (0.85 * trial / Math.Max(1, trials)), message, cancellationToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref board, null) is { } snapshot)
                {
                    // The leaderboard so far, for the page that watches the training; and whether the user asked to end now.
                    var json = JsonSerializer.Serialize(snapshot, ApiJson.Options);
                    await db.Versions.Where(v => v.Id == version.Id && v.Status == VersionStatus.Training)
                        .ExecuteUpdateAsync(u => u.SetProperty(v => v.LeaderboardJson, json), cancellationToken).ConfigureAwait(false);
                    if (!finish.IsCancellationRequested
                        && await db.Versions.AsNoTracking().AnyAsync(v => v.Id == version.Id && v.FinishRequested, cancellationToken).ConfigureAwait(false))
                    {
                        await finish.CancelAsync().ConfigureAwait(false);
                    }
                }
            }
            byte[] artifact;
            if (spec.Task == "forecasting")
            {
                var result = await Task.Run(() => ForecastTrainer.Train(table, spec, Progress, cancellationToken), cancellationToken).ConfigureAwait(false);
                artifact = ForecastTrainer.Serialize(result.Model);
                version.Algorithm = result.Model.Method;
                version.ParametersJson = JsonSerializer.Serialize(result.Parameters, ApiJson.Options);
                version.MetricsJson = JsonSerializer.Serialize(result.Metrics, ApiJson.Options);
                version.LeaderboardJson = JsonSerializer.Serialize(result.Leaderboard, ApiJson.Options);
                version.FeaturesJson = JsonSerializer.Serialize(result.Features, ApiJson.Options);
                version.PrimaryMetric = result.Metrics.PrimaryMetric;
                version.PrimaryValue = result.Metrics.PrimaryValue;
            }
            else
            {
                var plan = PlanOf(spec) with { Finish = finish.Token, OnTrial = snapshot => Volatile.Write(ref board, snapshot) };
                var result = await Task.Run(() => ModelTrainer.Train(table, plan, Progress, time, cancellationToken), cancellationToken).ConfigureAwait(false);
                await context.ReportProgressAsync(0.95, "Sealing and storing the model", cancellationToken).ConfigureAwait(false);
                artifact = ModelArtifacts.Serialize(result.Bundle, spec.Seed);
                version.Algorithm = result.Bundle.Algorithm;
                version.ParametersJson = JsonSerializer.Serialize(result.Parameters, ApiJson.Options);
                version.MetricsJson = JsonSerializer.Serialize(result.Metrics, ApiJson.Options);
                version.LeaderboardJson = JsonSerializer.Serialize(result.Leaderboard, ApiJson.Options);
                version.ImportanceJson = JsonSerializer.Serialize(result.Importance, ApiJson.Options);
                version.FeaturesJson = JsonSerializer.Serialize(result.Bundle.Featurizer.Specs.Select(s => s.ToDto()).ToList(), ApiJson.Options);
                version.PrimaryMetric = result.Metrics.PrimaryMetric;
                version.PrimaryValue = result.Metrics.PrimaryValue;
            }
            var (path, sha, bytes) = await artifacts.StoreAsync(version.TenantId, version.ModelId, version.Id, artifact, cancellationToken).ConfigureAwait(false);
            version.ArtifactPath = path;
            version.ArtifactSha256 = sha;
            version.ArtifactBytes = bytes;
            version.DurationMs = watch.ElapsedMilliseconds;
            version.Status = VersionStatus.Ready;
            version.CompletedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            serving.Forget(version.TenantId);
            await MeterSecondsAsync(version, watch).ConfigureAwait(false);
            await lineage.RegisterUseAsync(version.DatasetId, version.DatasetVersion, "model", model.Id, $"{model.Name} v{version.Version}", cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(new AuditRecord("model.trained", AuditOutcome.Success, "model", model.Id.ToString(), new Dictionary<string, string>
            {
                ["name"] = model.Name, ["version"] = version.Version.ToString(CultureInfo.InvariantCulture), ["algorithm"] = version.Algorithm ?? string.Empty,
                [version.PrimaryMetric ?? "metric"] = version.PrimaryValue?.ToString("0.####", CultureInfo.InvariantCulture) ?? string.Empty, ["sha256"] = sha,
            }), cancellationToken).ConfigureAwait(false);
            await events.TellAsync(MlEvents.VersionReady, $"Version {version.Version} of {model.Name} is ready", $"/models/{Uri.EscapeDataString(model.Name)}",
                new Dictionary<string, object?>
                {
                    ["model"] = model.Name, ["model_id"] = model.Id, ["version"] = version.Version, ["algorithm"] = version.Algorithm,
                    ["metric"] = version.PrimaryMetric, ["value"] = version.PrimaryValue, ["sha256"] = sha,
                }, cancellationToken).ConfigureAwait(false);
            MlTelemetry.Trained(spec.Task, "ready", watch.Elapsed);
            LogTrained(logger, model.Name, version.Version, version.Algorithm, version.PrimaryMetric, version.PrimaryValue ?? double.NaN, watch.ElapsedMilliseconds);
            await context.ReportProgressAsync(1, $"Version {version.Version} is ready: {version.Algorithm}, {Astralytiq.Contracts.Formatting.MetricFormat.Name(version.PrimaryMetric ?? "score")} {Astralytiq.Contracts.Formatting.MetricFormat.Show(version.PrimaryMetric ?? "score", version.PrimaryValue)}", cancellationToken).ConfigureAwait(false);
            return new { model_id = model.Id, version = version.Version, algorithm = version.Algorithm, primary_metric = version.PrimaryMetric, primary_value = version.PrimaryValue };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await FailAsync(version, "training was cancelled", watch).ConfigureAwait(false);
            throw;
        }
        catch (TrainingDataException e)
        {
            await FailAsync(version, e.Message, watch).ConfigureAwait(false);
            throw new PermanentJobFailureException(e.Message);
        }
        catch (Exception e) when (e is not PermanentJobFailureException)
        {
            // The exception's text is for the log (it may name internals); the user reads what happened and what to quote.
            LogFailed(logger, e, model.Name, version.Version);
            var message = $"training stopped on an unexpected error; quote job id {context.JobId} when reporting it";
            await FailAsync(version, message, watch).ConfigureAwait(false);
            throw new PermanentJobFailureException(message);
        }
    }

    /// <summary>The trainer's plan for a tabular training request.</summary>
    public static TrainingPlan PlanOf(TrainingSpec spec) =>
        new(TaskOf(spec.Task), spec.Target, spec.Features, spec.Algorithm, spec.HyperParameters, spec.MaxTrials,
            TimeSpan.FromSeconds(spec.TimeBudgetSeconds), spec.CvFolds, spec.TestFraction, spec.Seed,
            SearchSpace: spec.SearchSpace?.ToDictionary(p => p.Key, p => (p.Value[0], p.Value[1])), AutoValidation: spec.AutoValidation);

    public static TaskKind TaskOf(string task) => task switch
    {
        "regression" => TaskKind.Regression,
        "binary_classification" => TaskKind.Binary,
        _ => TaskKind.Multiclass,
    };

    private async Task FailAsync(ModelVersion version, string error, Stopwatch watch)
    {
        MlTelemetry.Trained(version.Task, "failed", watch.Elapsed);
        // Written whatever happened to the job's token: the version must not stay "training".
        db.ChangeTracker.Clear();
        await db.Versions.Where(v => v.Id == version.Id && v.Status == VersionStatus.Training).ExecuteUpdateAsync(u => u
            .SetProperty(v => v.Status, VersionStatus.Failed)
            .SetProperty(v => v.Error, error.Length > 2000 ? error[..2000] : error)
            .SetProperty(v => v.DurationMs, watch.ElapsedMilliseconds)
            .SetProperty(v => v.CompletedAt, time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
        // A failed training is not a model trained; its seconds were spent all the same.
        await quotas.ReleaseAsync(QuotaMetrics.ModelsTrained, QuotaKey(version.Id), CancellationToken.None).ConfigureAwait(false);
        await MeterSecondsAsync(version, watch).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} v{Version} trained: {Algorithm}, {Metric} {Value:0.####} in {Ms} ms")]
    private static partial void LogTrained(ILogger logger, string name, int version, string? algorithm, string? metric, double value, long ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training model {Name} v{Version} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name, int version);
}

/// <summary>The ML module's usage keys for the reconciler: a model version's (models trained, seconds of training).</summary>
internal sealed class ModelVersionUsageKeys(MlDbContext db) : IdUsageKeyOwner("model-version:")
{
    protected override Task<List<Guid>> FoundAsync(List<Guid> ids, CancellationToken cancellationToken) =>
        db.Versions.AsNoTracking().Where(v => ids.Contains(v.Id)).Select(v => v.Id).ToListAsync(cancellationToken);
}
