using Astralytiq.Platform.Quotas;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using Astralytiq.ML.Forecasting;

namespace Astralytiq.ML.Prediction;

/// <summary>Predictions and forecasts from ready versions, checked against the feature schema and logged for monitoring.</summary>
internal sealed class PredictionHandlers(IServiceProvider services, ServingVersions serving, ModelArtifacts artifacts, IUsageMeter meter, MlSettings settings,
    PredictionLogWriter log, TimeProvider time)
{
    /// <summary>The rows of a predict body (one row or a batch), or what is wrong with it.</summary>
    public static Result<IReadOnlyList<JsonObject>> Rows(JsonObject? row, IReadOnlyList<JsonObject>? batch, MlSettings settings, bool explain)
    {
        if ((row is null) == (batch is null))
        {
            return ValidationError.For("rows", "send one row as \"row\" or a batch as \"rows\" (not both)");
        }
        var rows = batch ?? [row!];
        if (rows.Count == 0 || rows.Count > settings.MaxBatchRows)
        {
            return ValidationError.For("rows", $"a batch has 1 to {settings.MaxBatchRows:N0} rows; score larger data from a dataset");
        }
        if (explain && rows.Count > settings.MaxExplainRows)
        {
            return ValidationError.For("explain", $"explanations are for at most {settings.MaxExplainRows} rows per request");
        }
        if (rows.Any(r => r is null))
        {
            return ValidationError.For("rows", "every row must be an object of feature values");
        }
        return Result<IReadOnlyList<JsonObject>>.Ok(rows);
    }

    public async Task<Result<PredictResponse>> PredictAsync(string model, int? version, string? alias, bool explain, PredictRequest request, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var read = Rows(request.Row, request.Rows, settings, explain);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }
        var rows = read.Value;
        var found = await serving.FindAsync(model, version, alias, ct).ConfigureAwait(false);
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
        // Each row is a prediction of the plan's month: counted before scoring (racing requests never pass the limit),
        // given back when the rows turn out not to score.
        var taken = await meter.TakeAsync(QuotaMetrics.Predictions, rows.Count, ct).ConfigureAwait(false);
        if (!taken.IsSuccess)
        {
            return taken.Error!;
        }
        var made = Score(loaded.Value, rows, explain, v.Seed);
        if (!made.IsSuccess)
        {
            meter.GiveBack(QuotaMetrics.Predictions, rows.Count);
            return made.Error!;
        }
        var predictions = made.Value;
        var elapsed = watch.Elapsed.TotalMilliseconds;
        MlTelemetry.Predicted(m.Id, rows.Count, elapsed);
        Log(log, time, settings.PredictionLogSampleRate, m, v, rows, predictions, elapsed, null);
        return new PredictResponse(m.Id, m.Name, v.Version, v.Task, predictions, Math.Round(elapsed, 3));
    }

    /// <summary>Scores rows with a loaded version: class probabilities or an interval per row, or the fields that are wrong.</summary>
    public static Result<List<PredictionDto>> Score(LoadedModel loaded, IReadOnlyList<JsonObject> rows, bool explain, int seed) =>
        loaded.Forecast is { } forecast ? PredictForecast(forecast, rows) : PredictTabular(loaded.Bundle!, rows, explain, seed);

    private static Result<List<PredictionDto>> PredictTabular(ModelBundle bundle, IReadOnlyList<JsonObject> rows, bool explain, int seed)
    {
        var errors = new FieldErrors();
        var raws = new List<object?[]>(rows.Count);
        var warnings = new List<List<string>>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (raw, w, e) = bundle.Featurizer.Read(rows[i], rows.Count == 1 ? "row." : $"rows[{i}].");
            foreach (var (field, message) in e.Take(20))
            {
                errors.Add(field, message);
            }
            raws.Add(raw);
            warnings.Add(w);
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var encoded = raws.Select(bundle.Featurizer.Encode).ToList();
        var scores = bundle.Score(encoded);
        var result = new List<PredictionDto>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            JsonNode? value;
            double? confidence = null, lower = null, upper = null;
            List<ClassProbabilityDto>? probabilities = null;
            var classIndex = 0;
            if (bundle.Task == TaskKind.Regression)
            {
                var y = scores.Values![i];
                value = JsonValue.Create(y);
                lower = y - bundle.IntervalHalfWidth;
                upper = y + bundle.IntervalHalfWidth;
            }
            else
            {
                var p = scores.Probabilities![i];
                classIndex = ModelTrainer.ArgMax(p);
                value = JsonValue.Create(bundle.Classes[classIndex]);
                confidence = p[classIndex];
                probabilities = bundle.Classes.Select((c, k) => new ClassProbabilityDto(c, p[k])).ToList();
            }
            double? baseValue = null;
            List<ContributionDto>? contributions = null;
            if (explain)
            {
                var (b, _, phi) = Explainer.Shapley(bundle, encoded[i], classIndex, seed);
                baseValue = b;
                contributions = bundle.Featurizer.Specs.Select((s, k) => new ContributionDto(s.Name, Featurizer.ToJson(raws[i][k]), phi[k]))
                    .OrderByDescending(c => Math.Abs(c.Contribution)).ThenBy(c => c.Feature, StringComparer.Ordinal).ToList();
            }
            // Values far outside the training range (1e308, say) can carry a model past what a double holds: such a
            // row has no prediction to give, and JSON has no number for infinity.
            if (!double.IsFinite(lower ?? 0) || !double.IsFinite(upper ?? 0) || (bundle.Task == TaskKind.Regression && !double.IsFinite(scores.Values![i]))
                || (probabilities?.Any(c => !double.IsFinite(c.Probability)) ?? false) || !double.IsFinite(baseValue ?? 0)
                || (contributions?.Any(c => !double.IsFinite(c.Contribution)) ?? false))
            {
                errors.Add(rows.Count == 1 ? "row" : $"rows[{i}]", "the model gives no finite prediction for these values; they are far outside the range it was trained on");
                continue;
            }
            result.Add(new PredictionDto(value, confidence, probabilities, lower, upper, baseValue, contributions, warnings[i].Count == 0 ? null : warnings[i]));
        }
        return errors.IsEmpty ? result : errors.ToError();
    }

    /// <summary>A forecasting model predicts the value at a time after its data (and for a series, when it has several).</summary>
    private static Result<List<PredictionDto>> PredictForecast(ForecastModel model, IReadOnlyList<JsonObject> rows)
    {
        var errors = new FieldErrors();
        var result = new List<PredictionDto>();
        var frequency = model.Frequency;
        for (var i = 0; i < rows.Count; i++)
        {
            var prefix = rows.Count == 1 ? "row." : $"rows[{i}].";
            var row = rows[i];
            if (!row.TryGetPropertyValue(model.TimeColumn, out var node) || node is not JsonValue tv || !tv.TryGetValue<string>(out var text) ||
                !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var when))
            {
                errors.Add(prefix + model.TimeColumn, $"'{model.TimeColumn}' is required: the date or timestamp to forecast, in ISO 8601 text");
                continue;
            }
            SeriesModel? series;
            if (model.SeriesColumn is { } seriesColumn)
            {
                var key = row.TryGetPropertyValue(seriesColumn, out var k) && k is JsonValue kv ? kv.ToString() : null;
                series = model.Series.FirstOrDefault(s => s.Key == key);
                if (series is null)
                {
                    errors.Add(prefix + seriesColumn, $"'{seriesColumn}' must name one of the model's {model.Series.Count} series");
                    continue;
                }
            }
            else
            {
                series = model.Series[0];
            }
            var step = frequency.Index(series.Start, when) - series.Length + 1;
            if (step < 1 || step > 1000)
            {
                errors.Add(prefix + model.TimeColumn, $"'{text}' is {(step < 1 ? "not after the last training point" : "more than 1,000 steps ahead")}; forecasts start at {frequency.At(series.Start, series.Length):O}");
                continue;
            }
            var (values, scale) = Forecaster.Predict(series, model.SeasonLength, (int)step);
            var y = values[^1];
            result.Add(new PredictionDto(JsonValue.Create(y), null, null, y - (ForecastModel.Z90 * scale[^1]), y + (ForecastModel.Z90 * scale[^1]), null, null, null));
        }
        return errors.IsEmpty ? result : errors.ToError();
    }

    public async Task<Result<ForecastResponse>> ForecastAsync(string model, int? version, string? alias, int? horizon, string? series, CancellationToken ct)
    {
        var found = await services.GetRequiredService<RegistryHandlers>().FindVersionAsync(model, version, alias, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        if (v.Task != "forecasting")
        {
            return ValidationError.For("model", $"'{m.Name}' is a {v.Task} model; forecasts come from forecasting models (use predict)");
        }
        var loaded = await artifacts.LoadAsync(v, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return loaded.Error!;
        }
        var f = loaded.Value.Forecast!;
        var h = horizon ?? f.Horizon;
        if (h < 1 || h > settings.MaxForecastHorizon)
        {
            return ValidationError.For("horizon", $"horizon must be between 1 and {settings.MaxForecastHorizon}");
        }
        var chosen = series is null ? f.Series.Take(50).ToList() : f.Series.Where(s => s.Key == series).ToList();
        if (chosen.Count == 0)
        {
            return ValidationError.For("series", $"no series '{series}'; the model has {string.Join(", ", f.Series.Take(10).Select(s => s.Key))}{(f.Series.Count > 10 ? ", …" : string.Empty)}");
        }
        return new ForecastResponse(m.Id, m.Name, v.Version, f.Method, f.Frequency.ToString(), f.SeasonLength, h, chosen.Select(s => f.Forecast(s, h)).ToList());
    }

    /// <summary>Where a logged prediction came from, when it came through a deployment (the request's id is shared by its shadows' copies).</summary>
    public sealed record Origin(Guid DeploymentId, string Variant, bool Shadow, string? Key, Guid RequestId);

    /// <summary>
    /// Queues a sample of the predictions (the given share, chosen at random) for the predictions log; through a
    /// deployment, the answered predictions that were kept get their log id (for feedback).
    /// </summary>
    public static void Log(PredictionLogWriter log, TimeProvider time, double rate, MlModel m, ModelVersion v, IReadOnlyList<JsonObject> rows, List<PredictionDto> predictions,
        double elapsedMs, Origin? origin)
    {
        if (rate <= 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rate < 1 && Random.Shared.NextDouble() >= rate)
            {
                continue;
            }
            var id = Guid.CreateVersion7(now);
            log.Enqueue(new PredictionLog
            {
                Id = id, TenantId = v.TenantId, ModelId = m.Id, VersionId = v.Id, Version = v.Version,
                InputJson = rows[i].ToJsonString(), OutputJson = JsonSerializer.Serialize(predictions[i] with { Contributions = null, Warnings = null }, ApiJson.Options),
                Confidence = predictions[i].Confidence, ExecutionMs = elapsedMs / rows.Count, CreatedAt = now,
                DeploymentId = origin?.DeploymentId, Variant = origin?.Variant, Shadow = origin?.Shadow ?? false, RequestKey = origin?.Key,
                RequestId = origin?.RequestId, Row = i,
            });
            if (origin is { Shadow: false })
            {
                predictions[i] = predictions[i] with { PredictionId = id };
            }
        }
    }
}
