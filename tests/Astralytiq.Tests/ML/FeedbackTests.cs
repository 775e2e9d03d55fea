using System.Net;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.ML;
using Astralytiq.ML.Monitoring;
using Astralytiq.ML.Prediction;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.ML;

/// <summary>Feedback over HTTP: actual values by prediction id or request key, corrections, refusals, and the live quality they give.</summary>
public abstract class FeedbackTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    /// <summary>A house's inputs, and what the generator's formula says it costs (no noise).</summary>
    internal static (JsonObject Row, double Price) House(Random random)
    {
        var rooms = random.Next(1, 7);
        var area = Math.Round(20 + (random.NextDouble() * 180), 1);
        var city = new[] { "Oslo", "Bergen", "Tromsø" }[random.Next(3)];
        return (new JsonObject { ["rooms"] = rooms, ["area"] = area, ["city"] = city }, (50 * rooms) + (0.8 * area) + (city == "Bergen" ? -30 : city == "Oslo" ? 10 : 0));
    }

    [Fact]
    public async Task Actual_values_by_id_or_key_give_each_variant_its_live_quality_against_training_and_a_resent_value_corrects()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(120));
        var model = MlData.Unique("price");
        var v1 = await MlData.TrainAsync(client, new TrainModelRequest(model, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "linear", CvFolds: 2, Seed: 5));
        await MlData.TrainAsync(client, new TrainModelRequest(model, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "fast_tree", CvFolds: 2, Seed: 5));
        (await client.Deployments.CreateAsync(new CreateDeploymentRequest("fb", [new DeploymentVariantDto("main", model, Version: 1, Weight: 100)],
            [new ShadowVariantDto("next", model, Version: 2)], LogSampleRate: 1))).EnsureValue();

        // 40 predictions, one row each with its own key; every answered prediction carries its id.
        var random = new Random(11);
        var made = new List<(Guid Id, string Key, double Predicted, double Actual)>();
        for (var i = 0; i < 40; i++)
        {
            var (row, _) = House(random);
            var answer = (await client.Deployments.PredictAsync("fb", new DeploymentPredictRequest(Row: row, Key: "req-" + i))).EnsureValue();
            var p = answer.Predictions.Single();
            Assert.NotNull(p.PredictionId);
            var predicted = p.Prediction!.GetValue<double>();
            made.Add((p.PredictionId!.Value, "req-" + i, predicted, predicted + (((i % 5) - 2) * 10)));
        }

        // 30 by id in one batch, 10 by key one at a time: all recorded.
        var batch = (await client.Deployments.FeedbackAsync("fb", new FeedbackRequest(Items: [.. made.Take(30).Select(m => new FeedbackItemDto(m.Id, Actual: JsonValue.Create(m.Actual)))])))
            .EnsureValue();
        Assert.Equal((30, 0, 0), (batch.Recorded, batch.Corrected, batch.Unchanged));
        Assert.Equal(made.Take(30).Select(m => m.Id), batch.Items.Select(i => i.PredictionId));
        foreach (var m in made.Skip(30))
        {
            var one = (await client.Deployments.FeedbackAsync("fb", new FeedbackRequest(Key: m.Key, Actual: JsonValue.Create(m.Actual)))).EnsureValue();
            Assert.Equal(("recorded", m.Id), (one.Items.Single().Status, one.Items.Single().PredictionId));
        }

        // The served variant's metric on them is what the errors give (±20, ±10, 0 in turn), next to its training figure;
        // the shadow was judged on the same requests.
        var performance = (await client.Deployments.PerformanceAsync("fb", metric: "rmse")).EnsureValue();
        Assert.Equal(("rmse", false, 40L, 40L), (performance.Metric, performance.HigherIsBetter, performance.Logged, performance.Labelled));
        var main = performance.Variants.Single(v => v.Variant == "main");
        var errors = made.Select(m => m.Actual - m.Predicted).ToArray();
        Assert.Equal(Math.Sqrt(errors.Average(e => e * e)), main.Value!.Value, 9);
        Assert.Equal(errors.Average(Math.Abs), main.Metrics.Mae!.Value, 9);
        Assert.Equal((1, 40, false), (main.Version, main.Labelled, main.Shadow));
        Assert.Equal(v1.Metrics!.Rmse!.Value, main.Training!.Value, 9);
        Assert.Equal(main.Value.Value - main.Training.Value, main.Change!.Value, 9);
        Assert.Equal(40, main.Series.Sum(s => s.Labelled));
        var shadow = performance.Variants.Single(v => v.Variant == "next");
        Assert.Equal((true, 2, 40), (shadow.Shadow, shadow.Version, shadow.Labelled));

        // The same value again changes nothing; a different one corrects it and the metric follows.
        var again = (await client.Deployments.FeedbackAsync("fb", new FeedbackRequest(made[0].Id, Actual: JsonValue.Create(made[0].Actual)))).EnsureValue();
        Assert.Equal((0, 0, 1), (again.Recorded, again.Corrected, again.Unchanged));
        var corrected = (await client.Deployments.FeedbackAsync("fb", new FeedbackRequest(made[0].Id, Actual: JsonValue.Create(made[0].Predicted)))).EnsureValue();
        Assert.Equal((0, 1, 0), (corrected.Recorded, corrected.Corrected, corrected.Unchanged));
        errors[0] = 0;
        var after = (await client.Deployments.PerformanceAsync("fb", metric: "rmse")).EnsureValue();
        Assert.Equal(Math.Sqrt(errors.Average(e => e * e)), after.Variants.Single(v => v.Variant == "main").Value!.Value, 9);
        Assert.Equal(40L, after.Labelled);

        // Alert rules can watch the quality: how much worse than at training (R², the headline) in percent, and the error rate.
        var actuals = made.Select((m, i) => i == 0 ? m.Predicted : m.Actual).ToArray();
        var r2 = 1 - (errors.Sum(e => e * e) / actuals.Sum(a => (a - actuals.Average()) * (a - actuals.Average())));
        var drop = (await client.Alerts.SeriesAsync("deployment_quality_drop", windowMinutes: 60, points: 1)).EnsureValue().Points[^1].Value;
        Assert.Equal(100 * (v1.Metrics.R2!.Value - r2) / Math.Abs(v1.Metrics.R2.Value), drop!.Value, 6);
        await Platform.Services.GetRequiredService<Astralytiq.ML.Deployments.DeploymentMeterWriter>().FlushAsync(CancellationToken.None);
        Assert.Equal(0d, (await client.Alerts.SeriesAsync("deployment_error_rate", windowMinutes: 60, points: 1)).EnsureValue().Points[^1].Value);

        // A key whose newest request was a batch names no single prediction.
        (await client.Deployments.PredictAsync("fb", new DeploymentPredictRequest(Rows: [House(random).Row, House(random).Row], Key: "two"))).EnsureValue();
        await Refused(new FeedbackRequest(Key: "two", Actual: JsonValue.Create(1.0)), "key", "batch of several rows");

        // Refusals name the item and store nothing.
        var shadowId = await InTenantAsync(tenant.Id, db => db.Predictions.Where(p => p.Shadow).Select(p => p.Id).FirstAsync());
        await Refused(new FeedbackRequest(Items: [new FeedbackItemDto(made[1].Id, Actual: JsonValue.Create(1.0)), new FeedbackItemDto(Guid.NewGuid(), Actual: JsonValue.Create(1.0))]),
            "items[1].prediction_id", "is on record");
        await Refused(new FeedbackRequest(made[1].Id, "req-1", JsonValue.Create(1.0)), "prediction_id", "not both");
        await Refused(new FeedbackRequest(made[1].Id, Actual: JsonValue.Create("high")), "actual", "must be a number");
        await Refused(new FeedbackRequest(made[1].Id), "actual", "is required");
        await Refused(new FeedbackRequest(shadowId, Actual: JsonValue.Create(1.0)), "prediction_id", "shadow");
        await Refused(new FeedbackRequest(Items: [new FeedbackItemDto(made[2].Id, Actual: JsonValue.Create(1.0)), new FeedbackItemDto(Key: "req-2", Actual: JsonValue.Create(2.0))]),
            "items[1].key", "the same prediction as items[0]");
        await Refused(new FeedbackRequest(Items: []), "items", "1 to 1,000");
        await Refused(new FeedbackRequest(Items: [.. Enumerable.Range(0, 1001).Select(_ => new FeedbackItemDto(made[3].Id, Actual: JsonValue.Create(1.0)))]), "items", "1 to 1,000");
        var stored = await InTenantAsync(tenant.Id, db => db.Feedback.Select(f => new { f.PredictionId, f.ActualNumber }).ToListAsync());
        Assert.Equal(40, stored.Count);
        Assert.Equal(made[1].Actual, stored.Single(f => f.PredictionId == made[1].Id).ActualNumber);

        // Another organisation cannot send feedback for these predictions (it does not see them) nor read the deployment.
        var other = (await Platform.NewTenantAsync()).Admin;
        Assert.Equal(HttpStatusCode.NotFound, (await other.Deployments.FeedbackAsync("fb", new FeedbackRequest(made[1].Id, Actual: JsonValue.Create(1.0)))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Deployments.PerformanceAsync("fb")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Deployments.PerformanceAsync("fb", metric: "accuracy")).Status);

        async Task Refused(FeedbackRequest request, string field, string words)
        {
            var refused = await client.Deployments.FeedbackAsync("fb", request);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
            Assert.Contains(refused.Error!.Error.Details!, d => d.Field == field && d.Message.Contains(words, StringComparison.Ordinal));
        }
    }

    private async Task<T> InTenantAsync<T>(Guid tenantId, Func<Astralytiq.ML.Persistence.MlDbContext, Task<T>> read)
    {
        await Platform.Services.GetRequiredService<PredictionLogWriter>().FlushAsync(CancellationToken.None);
        await Platform.Services.GetRequiredService<Astralytiq.ML.Deployments.ShadowRunner>().IdleAsync(CancellationToken.None);
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
        return await read(scope.ServiceProvider.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>());
    }
}

public sealed class FeedbackTests_Sqlite(SqlitePlatform platform) : FeedbackTests<SqlitePlatform>(platform);

public sealed class FeedbackTests_Postgres(PostgresPlatform platform) : FeedbackTests<PostgresPlatform>(platform);

/// <summary>The live metrics' definitions on small vectors worked out by hand.</summary>
public sealed class LiveMetricsTests
{
    private static Labelled Class(string predicted, string actual, double pFirst) =>
        new(null, predicted, [new ClassProbabilityDto("no", pFirst), new ClassProbabilityDto("yes", 1 - pFirst)], null, actual);

    [Fact]
    public void Classification_counts_an_unknown_label_as_wrong_and_leaves_it_out_of_f1_and_auc()
    {
        Labelled[] rows = [Class("yes", "yes", 0.1), Class("no", "no", 0.8), Class("yes", "no", 0.4), Class("no", "yes", 0.6), Class("yes", "maybe", 0.3)];
        var m = LiveMetrics.Compute("binary_classification", rows);
        Assert.Equal(5, m.Labelled);
        Assert.Equal(2 / 5.0, m.Accuracy!.Value, 12);
        // Known rows: TP 1, TN 1, FP 1, FN 1 → F1 of each class 0.5; AUC of P(yes) (0.9, 0.4 for yes; 0.2, 0.6 for no): 3 of 4 pairs ordered.
        Assert.Equal(0.5, m.F1Macro!.Value, 12);
        Assert.Equal(0.75, m.RocAuc!.Value, 12);
        Assert.Null(m.R2);
    }

    [Fact]
    public void Regression_has_no_r2_when_the_actual_values_do_not_vary()
    {
        var m = LiveMetrics.Compute("regression", [new Labelled(1, null, null, 3, null), new Labelled(5, null, null, 3, null)]);
        Assert.Null(m.R2);
        Assert.Equal(Math.Sqrt(4), m.Rmse!.Value, 12);
        Assert.Equal(2, m.Mae!.Value, 12);
        var varied = LiveMetrics.Compute("regression", [new Labelled(1, null, null, 1, null), new Labelled(2, null, null, 3, null)]);
        Assert.Equal(1 - (1 / 2.0), varied.R2!.Value, 12);
    }

    [Theory]
    [InlineData("regression", "1.5", true, 1.5, null, null)]
    [InlineData("regression", "\"1.5\"", false, null, null, "must be a number")]
    [InlineData("forecasting", "1e308", true, 1e308, null, null)]
    [InlineData("binary_classification", "true", true, null, "true", null)]
    [InlineData("multiclass_classification", "2", true, null, "2", null)]
    [InlineData("multiclass_classification", "\"\"", false, null, null, "1 to 200")]
    [InlineData("multiclass_classification", "[1]", false, null, null, "class label")]
    [InlineData("regression", "null", false, null, null, "is required")]
    public void Actual_values_are_read_as_the_task_needs(string task, string json, bool ok, double? number, string? label, string? error)
    {
        var (n, l, e) = FeedbackService.Actual(task, JsonNode.Parse(json));
        Assert.Equal(ok, e is null);
        Assert.Equal((number, label), (n, l));
        if (error is not null)
        {
            Assert.Contains(error, e, StringComparison.Ordinal);
        }
    }
}
