using System.Text.Json.Nodes;
using Astralytiq.ML.Deployments;
using Astralytiq.ML.Prediction;

namespace Astralytiq.ML.Monitoring;

/// <summary>
/// The actual value of one prediction made through a deployment (ground truth, sent later). One row per prediction:
/// sent again, the value is replaced and <see cref="Corrections"/> counts it. It belongs to the time the prediction
/// was made (<see cref="PredictedAt"/>), so feedback that arrives days late lands in the window it judges.
/// </summary>
internal sealed class PredictionFeedback : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DeploymentId { get; set; }

    /// <summary>The answered prediction's log id; its request's shadow answers share <see cref="RequestId"/> and <see cref="Row"/>.</summary>
    public Guid PredictionId { get; set; }

    public Guid? RequestId { get; set; }

    public int Row { get; set; }

    public DateTimeOffset PredictedAt { get; set; }

    /// <summary>The actual value as a number (regression, forecasting) or as a class label (classification).</summary>
    public double? ActualNumber { get; set; }

    public string? ActualLabel { get; set; }

    public int Corrections { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A prediction with its actual value, as the quality metrics read it.</summary>
internal readonly record struct Labelled(double? Predicted, string? PredictedLabel, IReadOnlyList<ClassProbabilityDto>? Probabilities, double? ActualNumber, string? ActualLabel)
{
    /// <summary>
    /// Reads a logged prediction's output (the <see cref="PredictionDto"/> as logged: only its value and class
    /// probabilities are read) next to its actual value.
    /// </summary>
    public static Labelled Of(string outputJson, double? actualNumber, string? actualLabel)
    {
        using var doc = JsonDocument.Parse(outputJson);
        var root = doc.RootElement;
        double? number = null;
        string? label = null;
        if (root.TryGetProperty("prediction", out var value))
        {
            if (value.ValueKind == JsonValueKind.Number)
            {
                number = value.GetDouble();
                label = number.Value.ToString("R", CultureInfo.InvariantCulture);
            }
            else if (value.ValueKind == JsonValueKind.String)
            {
                label = value.GetString();
            }
        }
        List<ClassProbabilityDto>? probabilities = null;
        if (root.TryGetProperty("probabilities", out var classes) && classes.ValueKind == JsonValueKind.Array)
        {
            probabilities = new List<ClassProbabilityDto>(classes.GetArrayLength());
            foreach (var c in classes.EnumerateArray())
            {
                probabilities.Add(new ClassProbabilityDto(c.GetProperty("label").GetString()!, c.GetProperty("probability").GetDouble()));
            }
        }
        return new Labelled(number, label, probabilities, actualNumber, actualLabel);
    }

    public static Labelled Of(PredictionDto p, double? actualNumber, string? actualLabel)
    {
        double? number = p.Prediction is JsonValue v && v.TryGetValue<double>(out var n) ? n : null;
        var label = p.Prediction is JsonValue s && s.TryGetValue<string>(out var t) ? t : number?.ToString("R", CultureInfo.InvariantCulture);
        return new Labelled(number, label, p.Probabilities, actualNumber, actualLabel);
    }
}

/// <summary>
/// Quality metrics on labelled predictions, by the same definitions as the training metrics (<see cref="Metrics"/>),
/// and which of them each task has. A classifier's actual label it never learned counts as a wrong prediction in
/// accuracy and is left out of F1 and ROC AUC (they are defined over its classes).
/// </summary>
internal static class LiveMetrics
{
    public static IReadOnlyList<string> For(string task) => task switch
    {
        "regression" => ["r2", "rmse", "mae", "mape"],
        "binary_classification" => ["roc_auc", "accuracy", "f1_macro"],
        "multiclass_classification" => ["accuracy", "f1_macro", "roc_auc"],
        _ => ["smape", "mae", "rmse", "mape"],
    };

    /// <summary>The training's primary metric where feedback can measure it (forecasting's MASE needs the training series: sMAPE instead).</summary>
    public static string Default(string task) => For(task)[0];

    public static bool HigherIsBetter(string metric) => metric is "r2" or "accuracy" or "f1_macro" or "roc_auc";

    public static bool IsNumeric(string task) => task is "regression" or "forecasting";

    public static double? Value(LiveMetricsDto m, string metric) => metric switch
    {
        "r2" => m.R2, "rmse" => m.Rmse, "mae" => m.Mae, "mape" => m.Mape, "smape" => m.Smape,
        "accuracy" => m.Accuracy, "f1_macro" => m.F1Macro, "roc_auc" => m.RocAuc, _ => null,
    };

    public static double? Value(ModelMetricsDto m, string metric) => metric switch
    {
        "r2" => m.R2, "rmse" => m.Rmse, "mae" => m.Mae, "mape" => m.Mape, "smape" => m.Smape,
        "accuracy" => m.Accuracy, "f1_macro" => m.F1Macro, "roc_auc" => m.RocAuc, _ => null,
    };

    /// <summary>How much worse <paramref name="value"/> is than <paramref name="baseline"/> in the metric's direction (negative: better).</summary>
    public static double Worsening(string metric, double value, double baseline) => HigherIsBetter(metric) ? baseline - value : value - baseline;

    public static LiveMetricsDto Compute(string task, IReadOnlyList<Labelled> rows)
    {
        if (IsNumeric(task))
        {
            var pairs = rows.Where(r => r.Predicted is not null && r.ActualNumber is not null).ToList();
            var actual = pairs.Select(r => r.ActualNumber!.Value).ToArray();
            var predicted = pairs.Select(r => r.Predicted!.Value).ToArray();
            if (actual.Length == 0)
            {
                return new LiveMetricsDto(0);
            }
            // R² of a window whose actual values do not vary is undefined, not 0 or 1.
            double? r2 = actual.Length >= 2 && actual.Distinct().Skip(1).Any() ? Metrics.R2(actual, predicted) : null;
            return new LiveMetricsDto(actual.Length, R2: Finite(r2), Rmse: Finite(Metrics.Rmse(actual, predicted)), Mae: Finite(Metrics.Mae(actual, predicted)),
                Mape: Finite(Metrics.Mape(actual, predicted)), Smape: Finite(Metrics.Smape(actual, predicted)));
        }
        var labelled = rows.Where(r => r.ActualLabel is not null && r.PredictedLabel is not null).ToList();
        if (labelled.Count == 0)
        {
            return new LiveMetricsDto(0);
        }
        var accuracy = labelled.Count(r => r.PredictedLabel == r.ActualLabel) / (double)labelled.Count;
        var classes = labelled.Select(r => r.Probabilities).FirstOrDefault(p => p is { Count: > 0 })?.Select(c => c.Label).ToList() ?? [];
        var index = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var known = labelled.Where(r => index.ContainsKey(r.ActualLabel!) && index.ContainsKey(r.PredictedLabel!) && r.Probabilities is { } p && p.Count == classes.Count).ToList();
        double? f1 = null, auc = null;
        if (known.Count > 0)
        {
            var a = known.Select(r => index[r.ActualLabel!]).ToArray();
            var p = known.Select(r => index[r.PredictedLabel!]).ToArray();
            f1 = Metrics.PrecisionRecallF1(Metrics.Confusion(a, p, Math.Max(2, classes.Count))).F1Macro;
            var probabilities = known.Select(r => r.Probabilities!.Select(c => c.Probability).ToArray()).ToArray();
            auc = task == "binary_classification" && classes.Count == 2
                ? Metrics.RocAuc(a.Select(x => x == 1).ToArray(), probabilities.Select(x => x[1]).ToArray())
                : Metrics.MacroRocAuc(a, probabilities, classes.Count);
        }
        return new LiveMetricsDto(labelled.Count, Accuracy: accuracy, F1Macro: Finite(f1), RocAuc: Finite(auc));
    }

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;
}

/// <summary>
/// Feedback (P21's accuracy drift): actual values for predictions made through a deployment, by prediction id or
/// request key, and the deployment's quality on them over time against each version's training metrics.
/// </summary>
internal sealed class FeedbackService(MlDbContext db, DeploymentHandlers deployments, PredictionLogWriter log, MlSettings settings, TimeProvider time)
{
    public const int MaxItems = 1_000;
    public const int MaxLabel = 200;
    public const int MaxRows = 100_000;

    public async Task<Result<FeedbackResponse>> RecordAsync(string name, FeedbackRequest request, CancellationToken ct)
    {
        var d = await deployments.FindAsync(name, track: false, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        var single = request.PredictionId is not null || request.Key is not null || request.Actual is not null;
        if (single == request.Items is not null)
        {
            return ValidationError.For("items", "send one item (prediction_id or key, with actual) or a batch as \"items\" (not both)");
        }
        var batch = request.Items is not null;
        var items = request.Items ?? [new FeedbackItemDto(request.PredictionId, request.Key, request.Actual)];
        if (items.Count is 0 or > MaxItems)
        {
            return ValidationError.For("items", $"a batch has 1 to {MaxItems:N0} items");
        }
        string Field(int i, string field) => batch ? $"items[{i}].{field}" : field;
        var errors = new FieldErrors();
        var actuals = new (double? Number, string? Label)[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null)
            {
                errors.Add(batch ? $"items[{i}]" : "items", "every item is an object with prediction_id or key, and actual");
                continue;
            }
            if ((item.PredictionId is null) == (item.Key is null))
            {
                errors.Add(Field(i, "prediction_id"), "name the prediction by prediction_id (returned with it) or by key (the request's key), not both");
            }
            if (item.Key is { Length: 0 or > DeploymentServing.MaxKeyLength })
            {
                errors.Add(Field(i, "key"), $"a request key is 1 to {DeploymentServing.MaxKeyLength} characters");
            }
            var read = Actual(d.Task, item.Actual);
            if (read.Error is { } problem)
            {
                errors.Add(Field(i, "actual"), problem);
            }
            actuals[i] = (read.Number, read.Label);
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var found = await FindAsync(d, items, ct).ConfigureAwait(false);
        var targets = new PredictionLogRow?[items.Count];
        var seen = new Dictionary<Guid, int>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var row = item.PredictionId is { } id ? found.ById.GetValueOrDefault(id) : found.ByKey.GetValueOrDefault(item.Key!);
            if (item.Key is { } key && found.Ambiguous.Contains(key))
            {
                errors.Add(Field(i, "key"), $"the newest request with key '{Short(key)}' was a batch of several rows; send each row's prediction_id instead");
                continue;
            }
            if (row is null)
            {
                errors.Add(Field(i, item.PredictionId is null ? "key" : "prediction_id"), (item.PredictionId is null ? $"no prediction with key '{Short(item.Key!)}'" : $"no prediction {item.PredictionId}")
                    + $" of deployment '{d.Name}' is on record: predictions are logged at the deployment's sample rate and kept {settings.PredictionLogRetentionDays} days");
                continue;
            }
            if (row.Shadow)
            {
                errors.Add(Field(i, "prediction_id"), "this is a shadow variant's answer; send the actual value for the prediction that was returned (its shadows are judged with it)");
                continue;
            }
            if (seen.TryGetValue(row.Id, out var earlier))
            {
                errors.Add(Field(i, item.PredictionId is null ? "key" : "prediction_id"), $"the same prediction as items[{earlier}]: send each prediction's actual value once per batch");
                continue;
            }
            seen[row.Id] = i;
            targets[i] = row;
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SaveAsync(d, targets!, actuals, ct).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (attempt == 0 && Platform.Persistence.DbErrors.LostRace(ex))
            {
                // The same prediction's feedback arrived twice at once: the second reads the first's row and compares.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<Result<FeedbackResponse>> SaveAsync(MlDeployment d, PredictionLogRow[] targets, (double? Number, string? Label)[] actuals, CancellationToken ct)
    {
        var ids = targets.Select(t => t.Id).ToList();
        var existing = await db.Feedback.Where(f => ids.Contains(f.PredictionId)).ToDictionaryAsync(f => f.PredictionId, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var results = new List<FeedbackResultDto>(targets.Length);
        int recorded = 0, corrected = 0, unchanged = 0;
        for (var i = 0; i < targets.Length; i++)
        {
            var t = targets[i];
            var (number, label) = actuals[i];
            if (existing.TryGetValue(t.Id, out var f))
            {
                if (f.ActualNumber == number && f.ActualLabel == label)
                {
                    unchanged++;
                    results.Add(new FeedbackResultDto(t.Id, "unchanged", t.CreatedAt));
                    continue;
                }
                f.ActualNumber = number;
                f.ActualLabel = label;
                f.Corrections++;
                f.UpdatedAt = now;
                corrected++;
                results.Add(new FeedbackResultDto(t.Id, "corrected", t.CreatedAt));
                continue;
            }
            db.Feedback.Add(new PredictionFeedback
            {
                Id = Guid.CreateVersion7(now), TenantId = d.TenantId, DeploymentId = d.Id, PredictionId = t.Id, RequestId = t.RequestId, Row = t.Row,
                PredictedAt = t.CreatedAt, ActualNumber = number, ActualLabel = label, ReceivedAt = now, UpdatedAt = now,
            });
            recorded++;
            results.Add(new FeedbackResultDto(t.Id, "recorded", t.CreatedAt));
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new FeedbackResponse(recorded, corrected, unchanged, results);
    }

    internal sealed record PredictionLogRow(Guid Id, bool Shadow, Guid? RequestId, int Row, string? RequestKey, DateTimeOffset CreatedAt);

    private async Task<(Dictionary<Guid, PredictionLogRow> ById, Dictionary<string, PredictionLogRow> ByKey, HashSet<string> Ambiguous)> FindAsync(
        MlDeployment d, IReadOnlyList<FeedbackItemDto> items, CancellationToken ct)
    {
        var byId = new Dictionary<Guid, PredictionLogRow>();
        var byKey = new Dictionary<string, PredictionLogRow>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        var ids = items.Where(i => i.PredictionId is not null).Select(i => i.PredictionId!.Value).Distinct().ToList();
        var keys = items.Where(i => i.PredictionId is null && i.Key is not null).Select(i => i.Key!).Distinct(StringComparer.Ordinal).ToList();
        for (var pass = 0; pass < 2; pass++)
        {
            var missingIds = ids.Where(id => !byId.ContainsKey(id)).ToList();
            foreach (var chunk in missingIds.Chunk(500))
            {
                var chunkList = chunk.ToList();
                // By primary key alone (the deployment is checked here): another condition would tempt the planner off the key.
                foreach (var r in await db.Predictions.AsNoTracking().Where(p => chunkList.Contains(p.Id))
                    .Select(p => new { Row = new PredictionLogRow(p.Id, p.Shadow, p.RequestId, p.Row, p.RequestKey, p.CreatedAt), p.DeploymentId }).ToListAsync(ct).ConfigureAwait(false))
                {
                    if (r.DeploymentId == d.Id)
                    {
                        byId[r.Row.Id] = r.Row;
                    }
                }
            }
            foreach (var key in keys.Where(k => !byKey.ContainsKey(k) && !ambiguous.Contains(k)).ToList())
            {
                var newest = await db.Predictions.AsNoTracking().Where(p => p.DeploymentId == d.Id && !p.Shadow && p.RequestKey == key)
                    .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Row).Take(2)
                    .Select(p => new PredictionLogRow(p.Id, p.Shadow, p.RequestId, p.Row, p.RequestKey, p.CreatedAt)).ToListAsync(ct).ConfigureAwait(false);
                if (newest.Count == 2 && newest[0].RequestId is not null && newest[0].RequestId == newest[1].RequestId)
                {
                    ambiguous.Add(key);
                }
                else if (newest.Count > 0)
                {
                    byKey[key] = newest[0];
                }
            }
            if (byId.Count == ids.Count && byKey.Count + ambiguous.Count == keys.Count)
            {
                break;
            }
            // Predictions made a moment ago may still wait in this node's log queue: write them and look once more.
            await log.FlushAsync(ct).ConfigureAwait(false);
        }
        return (byId, byKey, ambiguous);
    }

    private static string Short(string key) => key.Length > 40 ? key[..39] + "…" : key;

    /// <summary>An actual value as the task needs it: a finite number, or a class label (text, a number or true/false).</summary>
    internal static (double? Number, string? Label, string? Error) Actual(string task, JsonNode? node)
    {
        if (node is null)
        {
            return (null, null, "actual is required: the true value of what was predicted");
        }
        if (LiveMetrics.IsNumeric(task))
        {
            return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var n) && double.IsFinite(n)
                ? (n, null, null)
                : (null, null, "actual must be a number for a " + task.Replace('_', ' ') + " model");
        }
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    var text = value.GetValue<string>();
                    return text.Length is 0 or > MaxLabel ? (null, null, $"actual is a class label of 1 to {MaxLabel} characters") : (null, text, null);
                case JsonValueKind.Number when value.TryGetValue<double>(out var number) && double.IsFinite(number):
                    return (null, number.ToString("R", CultureInfo.InvariantCulture), null);
                case JsonValueKind.True:
                    return (null, "true", null);
                case JsonValueKind.False:
                    return (null, "false", null);
            }
        }
        return (null, null, "actual must be the class label (text, a number or true/false)");
    }

    /// <summary>
    /// <c>GET …/performance</c>: each variant's (and shadow's) metric on the labelled predictions of the window, by the
    /// version that answered, against that version's training metric, with a time series.
    /// </summary>
    public async Task<Result<DeploymentPerformanceDto>> PerformanceAsync(string name, DateTimeOffset? from, DateTimeOffset? to, string? metric, CancellationToken ct)
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
        if (end - start > TimeSpan.FromDays(DeploymentMetrics.MaxDays))
        {
            return ValidationError.For("from", $"a window is at most {DeploymentMetrics.MaxDays} days");
        }
        var chosen = metric ?? LiveMetrics.Default(d.Task);
        if (!LiveMetrics.For(d.Task).Contains(chosen))
        {
            return ValidationError.For("metric", $"a {d.Task.Replace('_', ' ')} deployment is measured by {string.Join(", ", LiveMetrics.For(d.Task))}");
        }
        await log.FlushAsync(ct).ConfigureAwait(false);
        var rows = await LabelledAsync(d.Id, start, end, ct).ConfigureAwait(false);
        var logged = await db.Predictions.AsNoTracking().LongCountAsync(p => p.DeploymentId == d.Id && !p.Shadow && p.CreatedAt >= start && p.CreatedAt < end, ct).ConfigureAwait(false);
        var labelled = await db.Feedback.AsNoTracking().LongCountAsync(f => f.DeploymentId == d.Id && f.PredictedAt >= start && f.PredictedAt < end, ct).ConfigureAwait(false);
        var span = (end - start).TotalMinutes;
        var bucket = DeploymentMetrics.BucketChoices.FirstOrDefault(b => span / b <= 120, DeploymentMetrics.BucketChoices[^1]);
        var versionIds = rows.Select(r => r.VersionId).Distinct().ToList();
        var versions = await db.Versions.AsNoTracking().Where(v => versionIds.Contains(v.Id)).Select(v => new { v.Id, v.ModelId, v.MetricsJson }).ToListAsync(ct).ConfigureAwait(false);
        var modelIds = versions.Select(v => v.ModelId).Distinct().ToList();
        var models = await db.Models.AsNoTracking().Where(m => modelIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, ct).ConfigureAwait(false);
        var training = versions.ToDictionary(v => v.Id, v => v.MetricsJson is null ? null : JsonSerializer.Deserialize<ModelMetricsDto>(v.MetricsJson, ApiJson.Options));
        var variants = new List<VariantPerformanceDto>();
        foreach (var group in rows.GroupBy(r => (r.Variant, r.Shadow, r.VersionId, r.Version)).OrderBy(g => g.Key.Shadow).ThenBy(g => g.Key.Variant, StringComparer.Ordinal).ThenBy(g => g.Key.Version))
        {
            var all = LiveMetrics.Compute(d.Task, [.. group.Select(r => r.Labelled)]);
            var value = LiveMetrics.Value(all, chosen);
            var baseline = training.GetValueOrDefault(group.Key.VersionId) is { } t ? LiveMetrics.Value(t, chosen) : null;
            double? change = value is { } v && baseline is { } b ? v - b : null;
            var worse = value is { } lv && baseline is { } bv && LiveMetrics.Worsening(chosen, lv, bv) > 0;
            var series = group.GroupBy(r => start.AddMinutes(Math.Floor((r.PredictedAt - start).TotalMinutes / bucket) * bucket)).OrderBy(g => g.Key)
                .Select(g =>
                {
                    var m = LiveMetrics.Compute(d.Task, [.. g.Select(r => r.Labelled)]);
                    return new PerformancePointDto(g.Key, m.Labelled, LiveMetrics.Value(m, chosen));
                }).ToList();
            var modelId = versions.FirstOrDefault(x => x.Id == group.Key.VersionId)?.ModelId;
            variants.Add(new VariantPerformanceDto(group.Key.Variant ?? "(direct)", group.Key.Shadow, modelId is { } mid ? models.GetValueOrDefault(mid, "?") : "?", group.Key.Version,
                all.Labelled, value, baseline, change, worse, all, series));
        }
        return new DeploymentPerformanceDto(d.Name, start, end, bucket, chosen, LiveMetrics.HigherIsBetter(chosen), logged, labelled, variants);
    }

    internal sealed record LabelledRow(string? Variant, bool Shadow, Guid VersionId, int Version, DateTimeOffset PredictedAt, string? InputJson, Labelled Labelled);

    /// <summary>The labelled predictions made in a window (the answered ones and their shadows' copies), newest first, at most <see cref="MaxRows"/>.</summary>
    internal async Task<List<LabelledRow>> LabelledAsync(Guid deploymentId, DateTimeOffset start, DateTimeOffset end, CancellationToken ct, bool servedOnly = false,
        bool inputs = false)
    {
        // From the deployment's feedback in the window to its request's log rows by (request id, row): a request id is the
        // deployment's own, so the log rows need no other condition (one would tempt the planner to scan them instead).
        // The inputs are read only when a model is to score them again (a retraining's comparison): they are most of a row's bytes.
        var query = from f in db.Feedback.AsNoTracking()
                    where f.DeploymentId == deploymentId && f.PredictedAt >= start && f.PredictedAt < end
                    join p in db.Predictions.AsNoTracking() on new { f.RequestId, f.Row } equals new { p.RequestId, p.Row }
                    where !servedOnly || p.Id == f.PredictionId
                    orderby f.PredictedAt descending
                    select new { p.Variant, p.Shadow, p.VersionId, p.Version, f.PredictedAt, InputJson = inputs ? p.InputJson : null, p.OutputJson, f.ActualNumber, f.ActualLabel };
        var found = await query.Take(MaxRows).ToListAsync(ct).ConfigureAwait(false);
        return [.. found.Select(r => new LabelledRow(r.Variant, r.Shadow, r.VersionId, r.Version, r.PredictedAt, r.InputJson, Labelled.Of(r.OutputJson, r.ActualNumber, r.ActualLabel)))];
    }
}
