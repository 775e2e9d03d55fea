using Astralytiq.Platform.Quotas;
using System.Text.RegularExpressions;

namespace Astralytiq.ML.Training;

/// <summary>The request after validation, as the training job reads it back from the version row.</summary>
internal sealed record TrainingSpec(
    string Task,
    string Target,
    IReadOnlyList<string> Features,
    string Algorithm,
    IReadOnlyDictionary<string, double>? HyperParameters,
    int TimeBudgetSeconds,
    int MaxTrials,
    int CvFolds,
    double TestFraction,
    int Seed,
    string? TimeColumn = null,
    string? SeriesColumn = null,
    int? Horizon = null,
    int? SeasonLength = null,
    IReadOnlyDictionary<string, IReadOnlyList<double>>? SearchSpace = null,
    bool AutoValidation = false);

internal sealed record TrainingWork(Guid VersionId);

internal sealed partial class TrainingHandlers(
    MlDbContext db,
    IDatasetReader datasets,
    IJobScheduler jobs,
    ITenantContext tenant,
    IAuditLog audit,
    IQuotas quotas,
    MlSettings settings,
    TimeProvider time)
{
    public static readonly string[] Tasks = ["regression", "binary_classification", "multiclass_classification", "forecasting"];

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} _.\-]{0,199}$")]
    private static partial Regex NamePattern();

    /// <summary>Checks the request against the dataset's columns, records the new version as training and queues the job.</summary>
    public async Task<Result<TrainModelResponse>> StartAsync(TrainModelRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? string.Empty;
        if (!NamePattern().IsMatch(name))
        {
            errors.Add("name", (name.Length == 0 ? "name is required: " : $"'{(name.Length > 60 ? name[..59] + "…" : name)}' cannot be a model name: ")
                + "up to 200 letters, digits, spaces, '_', '.' or '-', starting with a letter or digit");
        }
        if (!Tasks.Contains(request.Task))
        {
            errors.Add("task", "task must be one of " + string.Join(", ", Tasks));
        }
        if (request.DatasetId == Guid.Empty)
        {
            errors.Add("dataset_id", "dataset_id is required");
        }
        if (string.IsNullOrWhiteSpace(request.Target))
        {
            errors.Add("target", "target is required: the column to predict");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var shape = await datasets.DescribeAsync(request.DatasetId, request.DatasetVersion, ct).ConfigureAwait(false);
        if (!shape.IsSuccess)
        {
            return shape.Error is NotFoundError ? new NotFoundError("Dataset") : shape.Error!;
        }
        var spec = Validate(request, shape.Value, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var tenantId = tenant.TenantId!.Value;
        var now = time.GetUtcNow();
        // The plan's models a month is counted before anything is written: at the limit nothing is created, and racing
        // requests can never together pass it. A training that fails gives its count back.
        var versionId = Guid.NewGuid();
        var counted = await quotas.ConsumeAsync(QuotaMetrics.ModelsTrained, 1, TrainingJob.QuotaKey(versionId), ct).ConfigureAwait(false);
        if (!counted.IsSuccess)
        {
            return counted.Error!;
        }
        try
        {
            return await CreateAsync(request, name, spec, shape.Value, tenantId, versionId, now, ct).ConfigureAwait(false);
        }
        catch
        {
            await quotas.ReleaseAsync(QuotaMetrics.ModelsTrained, TrainingJob.QuotaKey(versionId), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Result<TrainModelResponse>> CreateAsync(
        TrainModelRequest request, string name, TrainingSpec spec, DatasetShape shape, Guid tenantId, Guid versionId, DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var model = await db.Models.SingleOrDefaultAsync(m => m.Name == name, ct).ConfigureAwait(false);
            if (model is not null && model.Task != request.Task)
            {
                await quotas.ReleaseAsync(QuotaMetrics.ModelsTrained, TrainingJob.QuotaKey(versionId), CancellationToken.None).ConfigureAwait(false);
                return ValidationError.For("task", $"model '{name}' is a {model.Task} model; train a {request.Task} model under another name");
            }
            if (model is null)
            {
                model = new MlModel { Id = Guid.NewGuid(), TenantId = tenantId, Name = name, Task = request.Task, Description = request.Description, CreatedBy = tenant.UserId, CreatedAt = now };
                db.Models.Add(model);
            }
            else if (request.Description is not null)
            {
                model.Description = request.Description;
            }
            model.LatestVersion++;
            model.UpdatedAt = now;
            var version = new ModelVersion
            {
                Id = versionId, TenantId = tenantId, ModelId = model.Id, Version = model.LatestVersion, Status = VersionStatus.Training,
                Task = request.Task, Target = spec.Target, DatasetId = shape.DatasetId, DatasetVersion = shape.Version,
                RequestJson = JsonSerializer.Serialize(spec, ApiJson.Options), Seed = spec.Seed, CreatedBy = tenant.UserId, CreatedAt = now,
            };
            db.Versions.Add(version);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another training of the same name took this version number (or created the model) first: count again.
                db.ChangeTracker.Clear();
                continue;
            }
            version.JobId = await jobs.EnqueueAsync(TrainingJob.Kind, new TrainingWork(version.Id), maxAttempts: 1, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.RecordAsync(new AuditRecord("model.training_started", AuditOutcome.Success, "model", model.Id.ToString(),
                new Dictionary<string, string>
                {
                    ["name"] = name, ["version"] = version.Version.ToString(CultureInfo.InvariantCulture), ["task"] = request.Task,
                    ["dataset"] = $"{shape.DatasetName} v{shape.Version}", ["algorithm"] = spec.Algorithm,
                }), ct).ConfigureAwait(false);
            return new TrainModelResponse(version.JobId.Value, model.Id, model.Name, version.Version);
        }
    }

    private TrainingSpec Validate(TrainModelRequest request, DatasetShape shape, FieldErrors errors)
    {
        var columns = shape.Columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        string Nearest(string name) => shape.Columns.Select(c => c.Name).OrderBy(c => Distance(c, name)).FirstOrDefault() is { } n ? $" (did you mean '{n}'?)" : string.Empty;
        var forecasting = request.Task == "forecasting";
        if (!columns.TryGetValue(request.Target, out var targetType))
        {
            errors.Add("target", $"dataset '{shape.DatasetName}' has no column '{request.Target}'{Nearest(request.Target)}");
        }
        else if ((request.Task == "regression" || forecasting) && targetType is not ("integer" or "decimal"))
        {
            errors.Add("target", $"{request.Task} needs a numeric target; '{request.Target}' is {targetType}");
        }
        if (shape.RowCount < 10)
        {
            errors.Add("dataset_id", $"too few rows to train: the dataset has {shape.RowCount} (at least 10 are needed)");
        }
        var excluded = new HashSet<string>(StringComparer.Ordinal) { request.Target };
        if (forecasting)
        {
            if (string.IsNullOrWhiteSpace(request.TimeColumn))
            {
                errors.Add("time_column", "forecasting needs time_column: the date or timestamp of each value");
            }
            else if (!columns.TryGetValue(request.TimeColumn, out var timeType))
            {
                errors.Add("time_column", $"dataset '{shape.DatasetName}' has no column '{request.TimeColumn}'{Nearest(request.TimeColumn)}");
            }
            else if (timeType is not ("date" or "timestamp"))
            {
                errors.Add("time_column", $"time_column must be a date or timestamp; '{request.TimeColumn}' is {timeType}");
            }
            if (request.SeriesColumn is { } series && !columns.ContainsKey(series))
            {
                errors.Add("series_column", $"dataset '{shape.DatasetName}' has no column '{series}'{Nearest(series)}");
            }
            if (request.Horizon is { } h && (h < 1 || h > settings.MaxForecastHorizon))
            {
                errors.Add("horizon", $"horizon must be between 1 and {settings.MaxForecastHorizon}");
            }
            if (request.SeasonLength is { } s && (s < 1 || s > 366))
            {
                errors.Add("season_length", "season_length must be between 1 and 366 (leave it out to detect it)");
            }
        }
        else if (request.TimeColumn is not null || request.SeriesColumn is not null || request.Horizon is not null || request.SeasonLength is not null)
        {
            errors.Add("time_column", "time_column, series_column, horizon and season_length are for forecasting only");
        }
        var features = request.Features?.ToList() ?? shape.Columns.Select(c => c.Name).Where(c => !excluded.Contains(c)).ToList();
        if (forecasting)
        {
            features = [];
        }
        else
        {
            if (features.Count == 0)
            {
                errors.Add("features", "give at least one feature column (or leave features out to use every other column)");
            }
            for (var i = 0; i < features.Count; i++)
            {
                if (features[i] == request.Target)
                {
                    errors.Add($"features[{i}]", $"the target '{request.Target}' cannot also be a feature");
                }
                else if (!columns.ContainsKey(features[i]))
                {
                    errors.Add($"features[{i}]", $"dataset '{shape.DatasetName}' has no column '{features[i]}'{Nearest(features[i])}");
                }
            }
            if (features.Distinct(StringComparer.Ordinal).Count() != features.Count)
            {
                errors.Add("features", "a feature is listed twice");
            }
            if (features.Count > 500)
            {
                errors.Add("features", "at most 500 features");
            }
        }
        var algorithm = request.Algorithm ?? "auto";
        var known = forecasting ? Forecasting.Forecaster.Methods.Prepend("auto").ToArray() : Learner.Algorithms.Prepend("auto").ToArray();
        if (!known.Contains(algorithm))
        {
            errors.Add("algorithm", $"unknown algorithm '{algorithm}': use one of {string.Join(", ", known)}");
        }
        if (request.HyperParameters is { } given)
        {
            if (algorithm == "auto" || forecasting)
            {
                errors.Add("hyper_parameters", "hyper_parameters need a named algorithm (not auto, not forecasting)");
            }
            else if (Learner.Algorithms.Contains(algorithm))
            {
                var space = Learner.Space(algorithm);
                foreach (var (key, value) in given)
                {
                    var range = space.FirstOrDefault(p => p.Name == key);
                    if (range is null)
                    {
                        errors.Add($"hyper_parameters.{key}", $"{algorithm} has no parameter '{key}': use {string.Join(", ", space.Select(p => p.Name))}");
                    }
                    else if (!double.IsFinite(value) || value < range.Min || value > range.Max || (range.Integer && value != Math.Round(value)))
                    {
                        errors.Add($"hyper_parameters.{key}", $"{key} must be {(range.Integer ? "a whole number" : "a number")} between {range.Min.ToString(CultureInfo.InvariantCulture)} and {range.Max.ToString(CultureInfo.InvariantCulture)}");
                    }
                }
            }
        }
        if (request.SearchSpace is { } searched)
        {
            if (algorithm == "auto" || forecasting || !Learner.Algorithms.Contains(algorithm))
            {
                errors.Add("search_space", "search_space needs a named algorithm (lightgbm, fast_tree, fast_forest or linear)");
            }
            else if (request.HyperParameters is not null)
            {
                errors.Add("search_space", "give hyper_parameters (fixed) or search_space (searched), not both");
            }
            else
            {
                var space = Learner.Space(algorithm);
                foreach (var (key, bounds) in searched)
                {
                    var range = space.FirstOrDefault(p => p.Name == key);
                    if (range is null)
                    {
                        errors.Add($"search_space.{key}", $"{algorithm} has no parameter '{key}': use {string.Join(", ", space.Select(p => p.Name))}");
                    }
                    else if (bounds is not { Count: 2 } || !double.IsFinite(bounds[0]) || !double.IsFinite(bounds[1]) || bounds[0] > bounds[1] || bounds[0] < range.Min || bounds[1] > range.Max)
                    {
                        errors.Add($"search_space.{key}", $"{key} takes [min, max] with {range.Min.ToString(CultureInfo.InvariantCulture)} ≤ min ≤ max ≤ {range.Max.ToString(CultureInfo.InvariantCulture)}");
                    }
                }
            }
        }
        var folds = request.CvFolds ?? 5;
        if (folds is < 2 or > 10)
        {
            errors.Add("cv_folds", "cv_folds must be between 2 and 10");
        }
        var testFraction = request.TestFraction ?? 0.2;
        if (!double.IsFinite(testFraction) || testFraction < 0.05 || testFraction > 0.5)
        {
            errors.Add("test_fraction", "test_fraction must be between 0.05 and 0.5");
        }
        var budget = request.TimeBudgetSeconds ?? (algorithm == "auto" ? settings.DefaultTimeBudgetSeconds : settings.MaxTimeBudgetSeconds);
        if (budget < 5 || budget > settings.MaxTimeBudgetSeconds)
        {
            errors.Add("time_budget_seconds", $"time_budget_seconds must be between 5 and {settings.MaxTimeBudgetSeconds}");
        }
        var maxTrials = request.MaxTrials ?? (algorithm == "auto" || request.SearchSpace is not null ? settings.DefaultMaxTrials : 1);
        if (maxTrials is < 1 or > 500)
        {
            errors.Add("max_trials", "max_trials must be between 1 and 500");
        }
        return new TrainingSpec(request.Task, request.Target, features, algorithm, request.HyperParameters, budget, maxTrials, folds, testFraction,
            request.Seed ?? 42, request.TimeColumn, request.SeriesColumn, request.Horizon, request.SeasonLength, request.SearchSpace, AutoValidation: request.CvFolds is null);
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
            }
        }
        return d[a.Length, b.Length];
    }
}
