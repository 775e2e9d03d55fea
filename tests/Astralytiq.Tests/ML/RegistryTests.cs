using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.ML;

public abstract class RegistryTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static readonly JsonObject Row = new() { ["rooms"] = 3, ["area"] = 100.0, ["city"] = "Oslo" };

    private static TrainModelRequest Request(string name, Guid dataset, string algorithm = "linear") =>
        new(name, dataset, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: algorithm, CvFolds: 3, Seed: 9);

    [Fact]
    public async Task The_same_data_request_and_seed_give_the_same_search_metrics_and_predictions()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(200));
        var request = new TrainModelRequest("x", data.Id, "multiclass_classification", "tier", Features: ["rooms", "area", "city", "noise"],
            Algorithm: "auto", MaxTrials: 7, CvFolds: 3, Seed: 21, TimeBudgetSeconds: 600);
        var first = await MlData.TrainAsync(client, request with { Name = MlData.Unique("same a") });
        var second = await MlData.TrainAsync(client, request with { Name = MlData.Unique("same b") });

        string Json(object? o) => JsonSerializer.Serialize(o, ApiJson.Options);
        Assert.Equal(Json(first.Metrics), Json(second.Metrics));
        Assert.Equal(Json(first.Parameters), Json(second.Parameters));
        Assert.Equal(Json(first.Importance), Json(second.Importance));
        Assert.Equal(first.Leaderboard!.Select(e => (e.Algorithm, Json(e.Parameters), e.Mean)), second.Leaderboard!.Select(e => (e.Algorithm, Json(e.Parameters), e.Mean)));
        Assert.Equal(first.Metrics!.Search!.Trials, first.Leaderboard!.Count);
        Assert.InRange(first.Leaderboard!.Count, 3, 7);
        var a = (await client.Models.PredictAsync(first.Name, new PredictRequest(Row: new JsonObject { ["rooms"] = 4, ["area"] = 77.0, ["city"] = "Bergen", ["noise"] = 0.3 }), explain: true)).EnsureValue();
        var b = (await client.Models.PredictAsync(second.Name, new PredictRequest(Row: new JsonObject { ["rooms"] = 4, ["area"] = 77.0, ["city"] = "Bergen", ["noise"] = 0.3 }), explain: true)).EnsureValue();
        Assert.Equal(Json(a.Predictions), Json(b.Predictions));

        // A different seed is a different split and search.
        var third = await MlData.TrainAsync(client, request with { Name = MlData.Unique("other"), Seed = 22 });
        Assert.NotEqual(Json(first.Metrics), Json(third.Metrics));
    }

    [Fact]
    public async Task Versions_count_up_aliases_move_and_archived_versions_stop_serving()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(120));
        var name = MlData.Unique("price");
        var v1 = await MlData.TrainAsync(client, Request(name, data.Id));
        var v2 = await MlData.TrainAsync(client, Request(name, data.Id, "fast_tree"));
        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal(v1.ModelId, v2.ModelId);

        Assert.Equal(1, (await client.Models.SetAliasAsync(name, "production", 1)).EnsureValue().Version);
        Assert.Equal(2, (await client.Models.SetAliasAsync(name, "staging", 2)).EnsureValue().Version);
        Assert.Equal(1, (await client.Models.PredictAsync(name, new PredictRequest(Row: Row), alias: "production")).EnsureValue().Version);
        Assert.Equal(2, (await client.Models.PredictAsync(name, new PredictRequest(Row: Row))).EnsureValue().Version);
        Assert.Equal(2, (await client.Models.PredictAsync(v1.ModelId.ToString(), new PredictRequest(Row: Row), alias: "staging")).EnsureValue().Version);

        var model = (await client.Models.GetAsync(name)).EnsureValue();
        Assert.Equal(["production", "staging"], model.Model.Aliases.Select(a => a.Alias));
        Assert.Equal(["production"], model.Versions.Single(v => v.Version == 1).Aliases);
        Assert.Equal("r2", model.Model.PrimaryMetric);
        var listed = (await client.Models.ListAsync(search: name)).EnsureValue();
        Assert.Equal(2, Assert.Single(listed.Items).LatestVersion);

        // Bad aliases and unknown versions are refused; an alias on a version blocks archiving it.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Models.SetAliasAsync(name, "Prod!", 1)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.SetAliasAsync(name, "qa", 9)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await client.Models.ArchiveVersionAsync(name, 1)).Status);
        Assert.Equal(2, (await client.Models.SetAliasAsync(name, "production", 2)).EnsureValue().Version);
        Assert.Equal("archived", (await client.Models.ArchiveVersionAsync(name, 1)).EnsureValue().Status);
        var archived = await client.Models.PredictAsync(name, new PredictRequest(Row: Row), version: 1);
        Assert.Equal(HttpStatusCode.Conflict, archived.Status);
        Assert.Contains("archived", archived.Error!.Error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await client.Models.SetAliasAsync(name, "old", 1)).Status);
        // Its metrics and metadata stay readable.
        Assert.Equal(v1.Metrics!.R2, (await client.Models.GetMetricsAsync(name, version: 1)).EnsureValue().Metrics!.R2);

        Assert.Equal(HttpStatusCode.NoContent, (await client.Models.RemoveAliasAsync(name, "staging")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.PredictAsync(name, new PredictRequest(Row: Row), alias: "staging")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.RemoveAliasAsync(name, "staging")).Status);

        // A name keeps its task.
        var other = await client.Models.TrainAsync(new TrainModelRequest(name, data.Id, "binary_classification", "expensive"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains(other.Error!.Error.Details!, d => d.Field == "task");
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_a_tenants_models_or_datasets()
    {
        var owner = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(owner, MlData.Houses(60));
        var name = MlData.Unique("secret");
        var version = await MlData.TrainAsync(owner, Request(name, data.Id));
        var stranger = (await Platform.NewTenantAsync()).Admin;

        foreach (var key in new[] { name, version.ModelId.ToString() })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.GetAsync(key)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.PredictAsync(key, new PredictRequest(Row: Row))).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.GetMetricsAsync(key)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.ExplainAsync(key)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.ForecastAsync(key)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.SetAliasAsync(key, "production", 1)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.ArchiveVersionAsync(key, 1)).Status);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.ListVersionsAsync(name)).Status);
        Assert.Empty((await stranger.Models.ListAsync()).EnsureValue().Items);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Models.TrainAsync(Request(MlData.Unique("steal"), data.Id))).Status);
        // The stranger may use the same name for a model of its own.
        var stranger_data = await MlData.UploadAsync(stranger, MlData.Houses(40));
        Assert.Equal(1, (await MlData.TrainAsync(stranger, Request(name, stranger_data.Id))).Version);
    }

    [Fact]
    public async Task A_tampered_artifact_is_reported_and_never_loaded()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(60));
        var name = MlData.Unique("tampered");
        var v1 = await MlData.TrainAsync(client, Request(name, data.Id));
        var v2 = await MlData.TrainAsync(client, Request(name, data.Id));
        string Artifact(ModelVersionDto v) => Path.Combine(Platform.DataDir, "blobs", "tenants", tenant.AdminUser.TenantId.ToString("N"), "models",
            v.ModelId.ToString("N"), v.Id.ToString("N") + ".zip.enc");

        // One byte flipped in storage: decryption fails its authentication.
        var bytes = await File.ReadAllBytesAsync(Artifact(v1));
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(Artifact(v1), bytes);
        var flipped = await client.Models.PredictAsync(name, new PredictRequest(Row: Row), version: 1);
        Assert.Equal(HttpStatusCode.Conflict, flipped.Status);
        Assert.Equal("MODEL_ARTIFACT_CORRUPT", flipped.Error!.Error.Code);

        // Another version's (valid, sealed) artifact put in its place: caught as well.
        File.Copy(Artifact(v1), Artifact(v2) + ".kept");
        File.Copy(Artifact(v1), Artifact(v2), overwrite: true);
        var swapped = await client.Models.PredictAsync(name, new PredictRequest(Row: Row), version: 2);
        Assert.Equal(HttpStatusCode.Conflict, swapped.Status);
        Assert.Equal("MODEL_ARTIFACT_CORRUPT", swapped.Error!.Error.Code);
        Assert.Contains("version 2", swapped.Error.Error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Training_can_be_cancelled_and_the_version_is_marked_failed()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(3000));
        var name = MlData.Unique("long");
        var started = (await client.Models.TrainAsync(new TrainModelRequest(name, data.Id, "regression", "price", Algorithm: "auto", MaxTrials: 500,
            TimeBudgetSeconds: 3600, CvFolds: 10))).EnsureValue();
        // Wait for the search to be running (a trial reported), then cancel.
        JobResponse job;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        do
        {
            // A bounded poll (deadline above) for the first trial's progress report.
            await Task.Delay(50);
            job = (await client.Jobs.GetAsync(started.JobId)).EnsureValue();
        }
        while (!(job.Status == JobStatus.Running && job.ProgressMessage?.StartsWith("Trial", StringComparison.Ordinal) == true) && DateTime.UtcNow < deadline);
        // Which trial is seen first depends on the poll: on a loaded machine the first two once ended between two polls.
        Assert.Matches(@"^Trial \d+ of 500", job.ProgressMessage);
        (await client.Jobs.CancelAsync(started.JobId)).EnsureSuccess();
        var ended = (await client.Jobs.WaitAsync(started.JobId, timeout: TimeSpan.FromMinutes(1))).EnsureValue();
        Assert.Equal(JobStatus.Cancelled, ended.Status);
        ModelVersionDto version;
        deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            version = Assert.Single((await client.Models.ListVersionsAsync(name)).EnsureValue());
            await Task.Delay(50);
        }
        while (version.Status == "training" && DateTime.UtcNow < deadline);
        Assert.Equal("failed", version.Status);
        Assert.Equal("training was cancelled", version.Error);
        Assert.Null(version.ArtifactSha256);
    }

    [Fact]
    public async Task A_model_is_downstream_of_its_dataset_version_and_predictions_are_logged()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(60));
        var name = MlData.Unique("traced");
        var version = await MlData.TrainAsync(client, Request(name, data.Id));

        var lineage = (await client.Datasets.GetLineageAsync(data.Id)).EnsureValue();
        Assert.Contains(lineage.Nodes, n => n.Kind == "consumer" && n.Label.Contains(name, StringComparison.Ordinal));

        var explain = (await client.Models.ExplainAsync(name)).EnsureValue();
        Assert.Equal(["area", "city", "rooms"], explain.Importance.Select(i => i.Feature).Order());
        Assert.Equal("r2", explain.Metric);

        (await client.Models.PredictAsync(name, new PredictRequest(Rows: [Row, Row, Row]))).EnsureValue();
        // The log is written off the request path, within a second; flushing writes it now.
        await Platform.Services.GetRequiredService<Astralytiq.ML.Prediction.PredictionLogWriter>().FlushAsync(CancellationToken.None);
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.AdminUser.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>();
        var logged = await db.Predictions.AsNoTracking().Where(p => p.VersionId == version.Id).ToListAsync();
        Assert.Equal(3, logged.Count);
        Assert.All(logged, p => Assert.Contains("\"rooms\":3", p.InputJson, StringComparison.Ordinal));
        Assert.All(logged, p => Assert.True(p.ExecutionMs > 0));
    }

    [Fact]
    public async Task A_dataset_is_scored_into_a_new_dataset_with_the_same_predictions_as_the_api()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(120));
        var name = MlData.Unique("tier");
        await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "multiclass_classification", "tier", Features: ["rooms", "area", "city"], Algorithm: "fast_tree", CvFolds: 3));
        var fresh = await MlData.UploadAsync(client, MlData.Houses(30, seed: 99));
        var output = MlData.Unique("scored");

        var started = (await client.Models.ScoreDatasetAsync(name, new ScoreDatasetRequest(fresh.Id, output))).EnsureValue();
        var job = (await client.Jobs.WaitAsync(started.JobId, timeout: TimeSpan.FromMinutes(2))).EnsureValue();
        Assert.True(job.Status == JobStatus.Succeeded, job.Error);
        var result = JsonSerializer.Deserialize<ScoreDatasetResult>(job.ResultJson!, ApiJson.Options)!;
        Assert.Equal(30, result.Rows);
        var scored = (await client.Datasets.GetAsync(result.DatasetId)).EnsureValue();
        Assert.Equal(output, scored.Name);
        Assert.Equal(["rooms", "area", "city", "noise", "price", "expensive", "tier", "prediction", "confidence"], scored.Schema.Select(c => c.Name));
        var preview = (await client.Datasets.PreviewAsync(result.DatasetId, limit: 30)).EnsureValue();
        var rows = preview.Rows.Take(5).ToList();
        var api = (await client.Models.PredictAsync(name, new PredictRequest(Rows: rows.Select(r => new JsonObject
        {
            ["rooms"] = ((JsonElement)r[0]!).GetDouble(), ["area"] = ((JsonElement)r[1]!).GetDouble(), ["city"] = ((JsonElement)r[2]!).GetString(),
        }).ToList()))).EnsureValue();
        Assert.Equal(api.Predictions.Select(p => p.Prediction!.GetValue<string>()), rows.Select(r => ((JsonElement)r[7]!).GetString()));
        Assert.Equal(api.Predictions.Select(p => Math.Round(p.Confidence!.Value, 9)), rows.Select(r => Math.Round(((JsonElement)r[8]!).GetDouble(), 9)));
        // The scored dataset lists the scored version as its parent.
        var lineage = (await client.Datasets.GetLineageAsync(result.DatasetId)).EnsureValue();
        Assert.Contains(lineage.Nodes, n => n.Label.Contains(fresh.Name, StringComparison.Ordinal));

        // A dataset without the model's features is refused before any work.
        var other = await MlData.UploadAsync(client, "a,b\n1,2\n", "unrelated");
        var refused = await client.Models.ScoreDatasetAsync(name, new ScoreDatasetRequest(other.Id, MlData.Unique("never")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains(refused.Error!.Error.Details!, d => d.Message.Contains("no column 'rooms'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forecasts_cover_every_series_and_bad_requests_are_refused()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.MonthlySales(60, 4, "north", "south", "east"), "stores");
        var name = MlData.Unique("stores");
        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "forecasting", "sales", TimeColumn: "month", SeriesColumn: "store"));
        Assert.Equal(3, version.Parameters!["series"]);
        Assert.Equal(12, version.Parameters["horizon"]);
        Assert.Equal(["east", "north", "south"], version.Features!.Single(f => f.Name == "store").Levels);
        Assert.Equal(["ets", "gbm_lags", "seasonal_naive"], version.Leaderboard!.Select(e => e.Algorithm).Order());
        Assert.InRange(version.Metrics!.IntervalCoverage!.Value, 0, 1);

        var all = (await client.Models.ForecastAsync(name, horizon: 6)).EnsureValue();
        Assert.Equal(["east", "north", "south"], all.Series.Select(s => s.Key));
        Assert.All(all.Series, s => Assert.Equal(6, s.Forecast.Count));
        var south = (await client.Models.ForecastAsync(name, series: "south")).EnsureValue();
        Assert.Equal(12, Assert.Single(south.Series).Forecast.Count);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Models.ForecastAsync(name, horizon: 0)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Models.ForecastAsync(name, horizon: 100_000)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Models.ForecastAsync(name, series: "west")).Status);
        var past = await client.Models.PredictAsync(name, new PredictRequest(Row: new JsonObject { ["month"] = "2016-01-01", ["store"] = "north" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, past.Status);
        var unknown = await client.Models.PredictAsync(name, new PredictRequest(Row: new JsonObject { ["month"] = "2021-01-01", ["store"] = "west" }));
        Assert.Contains(unknown.Error!.Error.Details!, d => d.Field == "row.store");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Models.ExplainAsync(name)).Status);

        // A named method is used as asked.
        var naive = await MlData.TrainAsync(client, new TrainModelRequest(MlData.Unique("naive"), data.Id, "forecasting", "sales", TimeColumn: "month",
            SeriesColumn: "store", Algorithm: "seasonal_naive", SeasonLength: 12));
        Assert.Equal("seasonal_naive", naive.Algorithm);
        Assert.Single(naive.Leaderboard!);
    }
}

public sealed class RegistryTests_Sqlite(SqlitePlatform platform) : RegistryTests<SqlitePlatform>(platform);

public sealed class RegistryTests_Postgres(PostgresPlatform platform) : RegistryTests<PostgresPlatform>(platform);
