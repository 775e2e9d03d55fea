using Astralytiq.Platform.Quotas;
namespace Astralytiq.ML.Prediction;

internal sealed record ScoringWork(Guid VersionId, Guid DatasetId, int DatasetVersion, string OutputName, string? Description);

/// <summary>Batch scoring: checks the dataset has the model's features, then a job scores it in chunks into a new dataset.</summary>
internal sealed class ScoringHandlers(RegistryHandlers registry, IDatasetReader datasets, IJobScheduler jobs, IAuditLog audit, IQuotas quotas)
{
    private static readonly string[] AddedColumns = ["prediction", "confidence", "lower", "upper"];

    public async Task<Result<ScoreDatasetResponse>> StartAsync(string model, ScoreDatasetRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.OutputName) || request.OutputName.Length > 200)
        {
            return ValidationError.For("output_name", "output_name is required: the name of the new dataset (up to 200 characters)");
        }
        var found = await registry.FindVersionAsync(model, request.Version, request.Alias, ready: true, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (m, v) = found.Value;
        if (v.Task == "forecasting")
        {
            return ValidationError.For("model", "forecasting models are scored with their forecast, not over a dataset");
        }
        var shape = await datasets.DescribeAsync(request.DatasetId, request.DatasetVersion, ct).ConfigureAwait(false);
        if (!shape.IsSuccess)
        {
            return shape.Error is NotFoundError ? new NotFoundError("Dataset") : shape.Error!;
        }
        var features = System.Text.Json.JsonSerializer.Deserialize<List<FeatureSchemaDto>>(v.FeaturesJson!, Astralytiq.Contracts.ApiJson.Options)!;
        var errors = new FieldErrors();
        foreach (var f in features)
        {
            var column = shape.Value.Columns.FirstOrDefault(c => c.Name == f.Name);
            if (column is null)
            {
                errors.Add("dataset_id", $"dataset '{shape.Value.DatasetName}' has no column '{f.Name}', a feature of the model");
            }
            else if (!Compatible(f, column.Type))
            {
                errors.Add("dataset_id", $"column '{f.Name}' is {column.Type}; the model was trained on a {f.Type}");
            }
        }
        foreach (var taken in AddedColumns.Where(n => shape.Value.Columns.Any(c => c.Name == n)))
        {
            errors.Add("dataset_id", $"the dataset already has a column '{taken}', which scoring adds; rename it first");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        // Refused before any work when the plan's predictions a month would not cover every row; counted by the job.
        var room = await quotas.CheckAsync(QuotaMetrics.Predictions, shape.Value.RowCount, ct).ConfigureAwait(false);
        if (!room.IsSuccess)
        {
            return room.Error!;
        }
        var job = await jobs.EnqueueAsync(ScoringJob.Kind, new ScoringWork(v.Id, shape.Value.DatasetId, shape.Value.Version, request.OutputName.Trim(), request.Description), maxAttempts: 3, ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("model.scoring_started", AuditOutcome.Success, "model", m.Id.ToString(), new Dictionary<string, string>
        {
            ["version"] = v.Version.ToString(CultureInfo.InvariantCulture), ["dataset"] = $"{shape.Value.DatasetName} v{shape.Value.Version}", ["output"] = request.OutputName,
        }), ct).ConfigureAwait(false);
        return new ScoreDatasetResponse(job, m.Id, v.Version);
    }

    private static bool Compatible(FeatureSchemaDto feature, string type) => feature.Kind switch
    {
        FeatureSpec.Numeric => type is "integer" or "decimal" or "boolean",
        FeatureSpec.Temporal => type is "date" or "timestamp",
        _ => true,
    };
}

internal sealed class ScoringJob(
    MlDbContext db, IDatasetReader datasets, IDatasetWriter writer, IDatasetLineage lineage, ModelArtifacts artifacts, IQuotas quotas, MlSettings settings) : IJobHandler
{
    public const string Kind = "ml.score";
    private const int Chunk = 20_000;

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<ScoringWork>();
        var version = await db.Versions.AsNoTracking().SingleOrDefaultAsync(v => v.Id == work.VersionId, cancellationToken).ConfigureAwait(false)
            ?? throw new PermanentJobFailureException("the model version no longer exists");
        var model = await db.Models.AsNoTracking().SingleAsync(m => m.Id == version.ModelId, cancellationToken).ConfigureAwait(false);
        var loaded = await artifacts.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            throw new PermanentJobFailureException(loaded.Error!.Message);
        }
        var bundle = loaded.Value.Bundle!;
        await context.ReportProgressAsync(0.02, "Reading the dataset", cancellationToken).ConfigureAwait(false);
        var read = await datasets.ReadAsync(work.DatasetId, work.DatasetVersion, null, settings.MaxScoringRows, cancellationToken).ConfigureAwait(false);
        if (!read.IsSuccess)
        {
            throw new PermanentJobFailureException(read.Error!.Message);
        }
        var table = read.Value;
        if (table.Sampled)
        {
            throw new PermanentJobFailureException($"the dataset has {table.TotalRows:N0} rows; scoring takes at most {settings.MaxScoringRows:N0}");
        }
        var n = table.RowCount;
        // Every row scored is a prediction, counted once under the job however often it is retried; refused at the plan's limit.
        var counted = await quotas.ConsumeAsync(QuotaMetrics.Predictions, n, "scoring:" + context.JobId.ToString("N"), cancellationToken).ConfigureAwait(false);
        if (!counted.IsSuccess)
        {
            throw new PermanentJobFailureException(counted.Error!.Message);
        }
        var prediction = bundle.Task == TaskKind.Regression ? new double[n] : null;
        var label = bundle.Task == TaskKind.Regression ? null : new string?[n];
        var second = new double[n];
        var third = new double[n];
        var columns = bundle.Featurizer.Specs.Select(s => table.Column(s.Name)!).ToList();
        for (var start = 0; start < n; start += Chunk)
        {
            var end = Math.Min(n, start + Chunk);
            var encoded = new List<float[]>(end - start);
            for (var r = start; r < end; r++)
            {
                var vector = new float[bundle.Featurizer.Width];
                for (var f = 0; f < columns.Count; f++)
                {
                    // A categorical feature takes any column as text (a numeric column's values as they print).
                    var raw = bundle.Featurizer.Specs[f].Kind == FeatureSpec.Categorical ? ModelTrainer.ClassText(columns[f], r) : Featurizer.Raw(columns[f], r);
                    Featurizer.Encode(bundle.Featurizer.Specs[f], raw, vector);
                }
                encoded.Add(vector);
            }
            var scores = bundle.Score(encoded);
            for (var i = 0; i < encoded.Count; i++)
            {
                var r = start + i;
                if (prediction is not null)
                {
                    prediction[r] = scores.Values![i];
                    second[r] = scores.Values[i] - bundle.IntervalHalfWidth;
                    third[r] = scores.Values[i] + bundle.IntervalHalfWidth;
                }
                else
                {
                    var p = scores.Probabilities![i];
                    var k = ModelTrainer.ArgMax(p);
                    label![r] = bundle.Classes[k];
                    second[r] = p[k];
                }
            }
            await context.ReportProgressAsync(0.05 + (0.8 * end / Math.Max(1, n)), $"Scored {end:N0} of {n:N0} rows", cancellationToken).ConfigureAwait(false);
        }
        var added = prediction is not null
            ? new[]
            {
                new TableColumn("prediction", "decimal", prediction, null, null), new TableColumn("lower", "decimal", second, null, null),
                new TableColumn("upper", "decimal", third, null, null),
            }
            : [new TableColumn("prediction", "string", null, null, label), new TableColumn("confidence", "decimal", second, null, null)];
        var output = table with { Columns = [.. table.Columns, .. added] };
        await context.ReportProgressAsync(0.9, "Storing the scored dataset", cancellationToken).ConfigureAwait(false);
        var stored = await writer.CreateAsync(work.OutputName, work.Description ?? $"{model.Name} v{version.Version} predictions for {table.DatasetName} v{table.Version}",
            output, [(table.DatasetId, table.Version)], $"{model.Name} v{version.Version}", cancellationToken, workId: context.JobId).ConfigureAwait(false);
        if (!stored.IsSuccess)
        {
            await quotas.ReleaseAsync(QuotaMetrics.Predictions, "scoring:" + context.JobId.ToString("N"), CancellationToken.None).ConfigureAwait(false);
            throw new PermanentJobFailureException(stored.Error!.Message + (stored.Error.Details is { Count: > 0 } d ? ": " + string.Join("; ", d.Select(x => x.Message)) : string.Empty));
        }
        await lineage.RegisterUseAsync(table.DatasetId, table.Version, "model", model.Id, $"{model.Name} v{version.Version} (scoring)", cancellationToken).ConfigureAwait(false);
        await context.ReportProgressAsync(1, $"{n:N0} rows scored into {stored.Value.DatasetName}", cancellationToken).ConfigureAwait(false);
        return new ScoreDatasetResult(stored.Value.DatasetId, stored.Value.DatasetName, stored.Value.Version, n);
    }
}
