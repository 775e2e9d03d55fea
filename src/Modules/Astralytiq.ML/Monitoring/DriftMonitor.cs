using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Astralytiq.ML.Deployments;
using Astralytiq.ML.Prediction;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Monitoring;

/// <summary>One window's drift of a deployment's inputs against the training data of the version it mostly serves.</summary>
internal sealed class DriftResult : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DeploymentId { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    public DateTimeOffset WindowEnd { get; set; }

    public string Model { get; set; } = string.Empty;

    public int ReferenceVersion { get; set; }

    public int Predictions { get; set; }

    public double DriftedShare { get; set; }

    public bool Drifted { get; set; }

    /// <summary>The features' <see cref="FeatureDriftDto"/>s as JSON.</summary>
    public string FeaturesJson { get; set; } = "[]";

    public DateTimeOffset ComputedAt { get; set; }
}

/// <summary>A version's training data by feature (numbers, or category labels), read once and kept (versions never change).</summary>
internal sealed class DriftReferences
{
    public const int MaxRows = 5_000;
    private readonly ConcurrentDictionary<Guid, Dictionary<string, (double[]? Numbers, string[]? Labels)>> _byVersion = new();

    public bool TryGet(Guid versionId, out Dictionary<string, (double[]? Numbers, string[]? Labels)> reference) => _byVersion.TryGetValue(versionId, out reference!);

    public void Set(Guid versionId, Dictionary<string, (double[]? Numbers, string[]? Labels)> reference)
    {
        if (_byVersion.Count > 200)
        {
            _byVersion.Clear();
        }
        _byVersion[versionId] = reference;
    }
}

/// <summary>
/// Drift (P21): the inputs a deployment received in a window (its logged predictions, shadows left out) against the
/// training data of the version its largest variant serves, feature by feature with the method Evidently would pick
/// (<see cref="DriftMethods"/>), stored per window. The inputs as a whole drifted when half the features or more did.
/// </summary>
internal sealed partial class DriftService(
    MlDbContext db, DeploymentHandlers deployments, RegistryHandlers registry, ModelArtifacts artifacts, IDatasetReader datasets, DriftReferences references,
    PredictionLogWriter log, MlEvents events, MlSettings settings, TimeProvider time, ILogger<DriftService> logger)
{
    public const int MaxCurrent = DriftStatistics.MaxExactKs;

    public async Task<Result<DriftReportDto>> ReadAsync(string name, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var d = await deployments.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-7);
        if (start >= end)
        {
            return ValidationError.For("from", "from must be before to");
        }
        var rows = await db.DriftResults.AsNoTracking().Where(r => r.DeploymentId == d.Id && r.WindowStart >= start && r.WindowStart < end)
            .OrderBy(r => r.WindowStart).Take(1000).ToListAsync(ct).ConfigureAwait(false);
        return new DriftReportDto(d.Name, [.. rows.Select(ToDto)]);
    }

    /// <summary>Computes (again) the drift of one window (default: the last <see cref="MlSettings.DriftWindowMinutes"/>) and stores it.</summary>
    public async Task<Result<DriftWindowDto>> ComputeAsync(string name, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var d = await deployments.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddMinutes(-settings.DriftWindowMinutes);
        if (start >= end)
        {
            return ValidationError.For("from", "from must be before to");
        }
        if (end - start > TimeSpan.FromDays(31))
        {
            return ValidationError.For("from", "a drift window is at most 31 days");
        }
        await log.FlushAsync(ct).ConfigureAwait(false);
        var computed = await ComputeAsync(d, start, end, ct).ConfigureAwait(false);
        return computed.IsSuccess ? ToDto(computed.Value) : computed.Error!;
    }

    internal async Task<Result<DriftResult>> ComputeAsync(MlDeployment d, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var spec = DeploymentHandlers.Spec(d);
        var primary = spec.Variants.OrderByDescending(v => v.Weight).First();
        var found = await registry.FindVersionAsync(primary.Model, primary.Version, primary.Alias, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        var loaded = await artifacts.LoadAsync(v, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error!;
        }
        if (loaded.Value.Bundle is not { } bundle)
        {
            return ValidationError.For("deployment", "a forecasting model's inputs are dates; drift is measured for tabular models' features");
        }
        var specs = bundle.Featurizer.Specs.Where(s => s.Kind is FeatureSpec.Numeric or FeatureSpec.Categorical).ToList();
        var reference = await ReferenceAsync(v, specs, ct).ConfigureAwait(false);
        if (!reference.IsSuccess)
        {
            return reference.Error!;
        }
        var inputs = await db.Predictions.AsNoTracking().Where(p => p.DeploymentId == d.Id && !p.Shadow && p.CreatedAt >= start && p.CreatedAt < end)
            .OrderByDescending(p => p.CreatedAt).Select(p => p.InputJson).Take(MaxCurrent).ToListAsync(ct).ConfigureAwait(false);
        if (inputs.Count < settings.DriftMinPredictions)
        {
            return new ConflictError($"{inputs.Count:N0} logged predictions in this window; drift needs at least {settings.DriftMinPredictions:N0} (raise the deployment's log sample rate or widen the window)");
        }
        var current = specs.ToDictionary(s => s.Name, _ => new List<object>());
        foreach (var json in inputs)
        {
            if (JsonNode.Parse(json) is not JsonObject row)
            {
                continue;
            }
            var (raw, _, _) = bundle.Featurizer.Read(row, string.Empty);
            for (var i = 0; i < bundle.Featurizer.Specs.Count; i++)
            {
                var s = bundle.Featurizer.Specs[i];
                if (!current.TryGetValue(s.Name, out var values))
                {
                    continue;
                }
                if (s.Kind == FeatureSpec.Numeric && raw[i] is double x && double.IsFinite(x))
                {
                    values.Add(x);
                }
                else if (s.Kind == FeatureSpec.Categorical)
                {
                    values.Add(raw[i]?.ToString() ?? FeatureSpec.MissingLevel);
                }
            }
        }
        var features = new List<FeatureDriftDto>();
        foreach (var s in specs)
        {
            var (numbers, labels) = reference.Value[s.Name];
            var now = current[s.Name];
            if (s.Kind == FeatureSpec.Numeric && numbers is { Length: > 0 } && now.Count > 0)
            {
                features.Add(Numeric(s.Name, numbers, [.. now.Cast<double>()]));
            }
            else if (s.Kind == FeatureSpec.Categorical && labels is { Length: > 0 } && now.Count > 0)
            {
                features.Add(Categorical(s.Name, labels, [.. now.Cast<string>()]));
            }
        }
        var share = features.Count == 0 ? 0 : (double)features.Count(f => f.Drifted) / features.Count;
        var result = await db.DriftResults.SingleOrDefaultAsync(r => r.DeploymentId == d.Id && r.WindowStart == start && r.WindowEnd == end, ct).ConfigureAwait(false);
        if (result is null)
        {
            result = new DriftResult { Id = Guid.NewGuid(), TenantId = d.TenantId, DeploymentId = d.Id, WindowStart = start, WindowEnd = end };
            db.DriftResults.Add(result);
        }
        result.Model = m.Name;
        result.ReferenceVersion = v.Version;
        result.Predictions = inputs.Count;
        result.DriftedShare = share;
        result.Drifted = features.Count > 0 && share >= 0.5;
        result.FeaturesJson = JsonSerializer.Serialize(features, ApiJson.Options);
        result.ComputedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (features.Any(f => f.Drifted))
        {
            var drifted = features.Where(f => f.Drifted).Select(f => f.Feature).ToList();
            await events.TellAsync(MlEvents.DriftDetected, $"Inputs of {d.Name} drifted: {string.Join(", ", drifted.Take(5))}{(drifted.Count > 5 ? ", …" : string.Empty)}",
                $"/deployments/{Uri.EscapeDataString(d.Name)}", new Dictionary<string, object?>
                {
                    ["deployment"] = d.Name, ["window_start"] = start, ["window_end"] = end, ["drifted_features"] = drifted, ["drifted_share"] = share,
                    ["dataset_drift"] = result.Drifted,
                }, ct).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>Numbers: KS (p below 0.05) up to 1,000 reference values, else the Wasserstein distance in reference standard deviations (0.1 or more).</summary>
    internal static FeatureDriftDto Numeric(string feature, double[] reference, double[] current)
    {
        var edges = DriftStatistics.BinEdges(reference, DriftMethods.PsiBins);
        var psi = DriftStatistics.Psi(DriftStatistics.Shares(reference, edges, clip: true), DriftStatistics.Shares(current, edges, clip: true));
        if (reference.Length <= DriftMethods.SmallSample)
        {
            var (d, p) = DriftStatistics.KolmogorovSmirnov(reference, current);
            return new FeatureDriftDto(feature, FeatureSpec.Numeric, "ks", d, p, DriftMethods.PValueThreshold, p < DriftMethods.PValueThreshold, psi, reference.Length, current.Length);
        }
        var w = DriftStatistics.WassersteinNormed(reference, current);
        return new FeatureDriftDto(feature, FeatureSpec.Numeric, "wasserstein", w, null, DriftMethods.DistanceThreshold, w >= DriftMethods.DistanceThreshold, psi, reference.Length, current.Length);
    }

    /// <summary>Categories: chi-square (p below 0.05) up to 1,000 reference values, else the Jensen–Shannon distance of the shares (0.1 or more).</summary>
    internal static FeatureDriftDto Categorical(string feature, string[] reference, string[] current)
    {
        var (r, c) = DriftStatistics.CategoryShares(reference, current);
        var psi = DriftStatistics.Psi(r, c);
        if (reference.Length <= DriftMethods.SmallSample)
        {
            var (statistic, p) = DriftStatistics.ChiSquare(reference, current);
            return new FeatureDriftDto(feature, FeatureSpec.Categorical, "chi_square", statistic, p, DriftMethods.PValueThreshold, p < DriftMethods.PValueThreshold, psi,
                reference.Length, current.Length);
        }
        var js = DriftStatistics.JensenShannon(r, c);
        return new FeatureDriftDto(feature, FeatureSpec.Categorical, "jensen_shannon", js, null, DriftMethods.DistanceThreshold, js >= DriftMethods.DistanceThreshold, psi, reference.Length, current.Length);
    }

    private async Task<Result<Dictionary<string, (double[]? Numbers, string[]? Labels)>>> ReferenceAsync(ModelVersion v, List<FeatureSpec> specs, CancellationToken ct)
    {
        if (references.TryGet(v.Id, out var cached))
        {
            return cached;
        }
        var table = await datasets.ReadAsync(v.DatasetId, v.DatasetVersion, [.. specs.Select(s => s.Name)], DriftReferences.MaxRows, ct).ConfigureAwait(false);
        if (!table.IsSuccess)
        {
            return new ConflictError($"the training data of version {v.Version} cannot be read for reference: {table.Error!.Message}");
        }
        var reference = new Dictionary<string, (double[]? Numbers, string[]? Labels)>();
        foreach (var s in specs)
        {
            var column = table.Value.Column(s.Name);
            if (column is null)
            {
                continue;
            }
            reference[s.Name] = s.Kind == FeatureSpec.Numeric
                ? (column.Numbers?.Where(double.IsFinite).ToArray() ?? [], null)
                : (null, Enumerable.Range(0, column.Length).Select(i => column.Texts is { } texts ? texts[i] ?? FeatureSpec.MissingLevel
                    : column.Numbers is { } numbers ? (double.IsNaN(numbers[i]) ? FeatureSpec.MissingLevel : numbers[i].ToString(CultureInfo.InvariantCulture)) : FeatureSpec.MissingLevel).ToArray());
        }
        references.Set(v.Id, reference);
        LogReference(logger, v.Version, table.Value.RowCount);
        return reference;
    }

    private static DriftWindowDto ToDto(DriftResult r) => new(r.WindowStart, r.WindowEnd, r.Model, r.ReferenceVersion, r.Predictions, r.DriftedShare, r.Drifted,
        JsonSerializer.Deserialize<List<FeatureDriftDto>>(r.FeaturesJson, ApiJson.Options)!);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Drift reference of version {Version}: {Rows} training rows")]
    private static partial void LogReference(ILogger logger, int version, int rows);
}

/// <summary>Every <see cref="MlSettings.DriftWindowMinutes"/>, measures the drift of the window just ended for every deployment that logged enough predictions in it.</summary>
internal sealed partial class DriftScheduler(IServiceScopeFactory scopes, MlSettings settings, TimeProvider time, ILogger<DriftScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var window = TimeSpan.FromMinutes(settings.DriftWindowMinutes);
                var now = time.GetUtcNow();
                var next = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % window.Ticks), TimeSpan.Zero) + window;
                await Task.Delay(next - now + TimeSpan.FromSeconds(30), time, stoppingToken).ConfigureAwait(false);
                await RunAsync(next - window, next, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>Measures the window [start, end) for every deployment with enough logged predictions in it that has no result for it yet.</summary>
    public async Task<int> RunAsync(DateTimeOffset start, DateTimeOffset end, CancellationToken ct, Guid? onlyTenant = null)
    {
        List<(Guid Tenant, Guid Id)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<MlDbContext>();
            await scope.ServiceProvider.GetRequiredService<PredictionLogWriter>().FlushAsync(ct).ConfigureAwait(false);
            var min = settings.DriftMinPredictions;
            due = (await db.Predictions.AsNoTracking()
                .Where(p => p.DeploymentId != null && !p.Shadow && p.CreatedAt >= start && p.CreatedAt < end && (onlyTenant == null || p.TenantId == onlyTenant))
                .GroupBy(p => new { p.TenantId, p.DeploymentId }).Where(g => g.Count() >= min).Select(g => new { g.Key.TenantId, g.Key.DeploymentId })
                .ToListAsync(ct).ConfigureAwait(false)).Select(x => (x.TenantId, x.DeploymentId!.Value)).ToList();
        }
        var done = 0;
        foreach (var (tenantId, id) in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId);
            var db = scope.ServiceProvider.GetRequiredService<MlDbContext>();
            if (await db.DriftResults.AnyAsync(r => r.DeploymentId == id && r.WindowStart == start && r.WindowEnd == end, ct).ConfigureAwait(false)
                || await db.Deployments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct).ConfigureAwait(false) is not { } d)
            {
                continue;
            }
            var result = await scope.ServiceProvider.GetRequiredService<DriftService>().ComputeAsync(d, start, end, ct).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                done++;
            }
            else
            {
                LogSkipped(logger, d.Name, result.Error!.Message);
            }
        }
        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift of deployment {Deployment} not measured: {Why}")]
    private static partial void LogSkipped(ILogger logger, string deployment, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift could not be measured this window; the next window tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
