using System.Text;
using System.Net;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Jobs;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Infrastructure;

namespace Astralytiq.Tests.ML;

public abstract class ModelTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static JsonObject House(int rooms, double area, string city, double noise = 0.5) =>
        new() { ["rooms"] = rooms, ["area"] = area, ["city"] = city, ["noise"] = noise };

    [Fact]
    public async Task A_regressor_learns_a_known_relationship_and_predicts_with_an_interval_and_an_explanation()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(400));
        var name = MlData.Unique("price");

        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "regression", "price",
            Features: ["rooms", "area", "city", "noise"], Algorithm: "linear", Seed: 5));

        Assert.Equal("ready", version.Status);
        Assert.Equal(1, version.Version);
        Assert.Equal("linear", version.Algorithm);
        Assert.Equal(data.Id, version.DatasetId);
        Assert.Equal(1, version.DatasetVersion);
        Assert.Equal(64, version.ArtifactSha256!.Length);
        var metrics = version.Metrics!;
        Assert.Equal("r2", metrics.PrimaryMetric);
        Assert.True(metrics.R2 > 0.98, $"R² {metrics.R2}");
        Assert.True(metrics.Rmse < 10, $"RMSE {metrics.Rmse}");
        Assert.Equal(80, metrics.TestRows);
        Assert.Equal(320, metrics.TrainRows);
        Assert.Equal(5, metrics.CrossValidation!.Folds);
        Assert.Equal(["rooms", "area", "city", "noise"], version.Features!.Select(f => f.Name));
        Assert.Equal(["Bergen", "Oslo", "Tromsø"], version.Features!.Single(f => f.Name == "city").Levels!.Order());
        // Rooms and area carry the price; the noise column carries nothing.
        var importance = version.Importance!;
        Assert.Equal("rooms", importance[0].Feature);
        Assert.True(importance.Single(i => i.Feature == "noise").Importance < 0.01);

        var predicted = (await client.Models.PredictAsync(name, new PredictRequest(Row: House(3, 100, "Oslo")), explain: true)).EnsureValue();
        var p = Assert.Single(predicted.Predictions);
        var value = p.Prediction!.GetValue<double>();
        Assert.InRange(value, 240 - 12, 240 + 12); // 150 + 80 + 10
        Assert.True(p.Lower < value && value < p.Upper);
        Assert.Equal(1, predicted.Version);
        // Contributions add up to the prediction minus the base value.
        Assert.Equal(value - p.BaseValue!.Value, p.Contributions!.Sum(c => c.Contribution), 3);
        Assert.Contains(p.Contributions!, c => c.Feature == "rooms" && c.Value!.GetValue<double>() == 3);
    }

    [Fact]
    public async Task A_small_regression_with_gaps_in_features_and_target_trains_the_rows_it_can_and_says_so()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        // 150 houses; one in 12 without a price, one in 9 without an area, one in 15 without a city.
        var lines = MlData.Houses(150, seed: 11).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var csv = new StringBuilder(lines[0]).Append('\n');
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (i % 12 == 0) { cells[4] = string.Empty; }
            if (i % 9 == 0) { cells[1] = string.Empty; }
            if (i % 15 == 0) { cells[2] = string.Empty; }
            csv.Append(string.Join(',', cells)).Append('\n');
        }
        var data = await MlData.UploadAsync(client, csv.ToString(), "gappy");
        var version = await MlData.TrainAsync(client, new TrainModelRequest(MlData.Unique("gappy"), data.Id, "regression", "price",
            Features: ["rooms", "area", "city", "noise"], MaxTrials: 6, Seed: 3));
        Assert.Equal("ready", version.Status);
        Assert.True(version.Metrics!.R2 > 0.8, $"R² {version.Metrics.R2}");
        // Rows without a target cannot teach anything: left out, and counted.
        Assert.Equal(150 - (150 / 12), version.Metrics.TrainRows + version.Metrics.TestRows);
        // Every trial has a finite score, or none and the reason.
        Assert.All(version.Leaderboard!, t => Assert.True(t.Error is null ? double.IsFinite(t.Mean!.Value) && double.IsFinite(t.StdDev!.Value) : t.Mean is null, $"{t.Algorithm}: {t.Mean} ± {t.StdDev} {t.Error}"));
    }

    [Fact]
    public async Task A_feature_with_values_past_single_precision_trains_and_predicts_instead_of_failing_the_job()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var random = new Random(5);
        var csv = new StringBuilder("x,huge,y\n");
        for (var i = 0; i < 150; i++)
        {
            var x = random.NextDouble() * 10;
            csv.Append(System.FormattableString.Invariant($"{x},{(random.NextDouble() - 0.5) * 1e300},{(3 * x) + random.NextDouble()}\n"));
        }
        var data = await MlData.UploadAsync(client, csv.ToString(), "huge");
        // It once ended "training failed: .NET number values such as positive and negative infinity cannot be written as valid JSON".
        var version = await MlData.TrainAsync(client, new TrainModelRequest(MlData.Unique("huge"), data.Id, "regression", "y", Features: ["x", "huge"], MaxTrials: 8, Seed: 3));
        Assert.True(version.Metrics!.R2 > 0.9, $"R² {version.Metrics.R2}");
        var rows = new[] { 1e300, -1.7e308, 0 }.Select(h => new System.Text.Json.Nodes.JsonObject { ["x"] = 2, ["huge"] = h }).ToList();
        var predicted = (await client.Models.PredictAsync(version.Name, new PredictRequest(Rows: rows))).EnsureValue();
        Assert.All(predicted.Predictions, p => Assert.InRange(p.Prediction!.GetValue<double>(), 3, 9));
    }

    [Fact]
    public async Task A_full_batch_of_ten_thousand_wide_rows_is_predicted_as_documented()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var random = new Random(9);
        var names = Enumerable.Range(1, 9).Select(i => "feature_" + i).ToList();
        var csv = new StringBuilder(string.Join(',', names) + ",target\n");
        for (var i = 0; i < 120; i++)
        {
            var values = names.Select(_ => Math.Round(random.NextDouble() * 1000, 6)).ToList();
            csv.Append(string.Join(',', values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))).Append(',')
                .Append((values.Sum() + random.NextDouble()).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        var data = await MlData.UploadAsync(client, csv.ToString(), "wide");
        var version = await MlData.TrainAsync(client, new TrainModelRequest(MlData.Unique("wide"), data.Id, "regression", "target", Features: names, Algorithm: "linear", Seed: 1));
        // 10,000 rows of nine features with six decimals: about 1.8 MB, past the 1 MiB other endpoints accept.
        var rows = Enumerable.Range(0, 10_000).Select(_ =>
        {
            var row = new System.Text.Json.Nodes.JsonObject();
            foreach (var name in names)
            {
                row[name] = Math.Round(random.NextDouble() * 1000, 6) + 0.000001;
            }
            return row;
        }).ToList();
        Assert.True(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(rows).Length > 1024 * 1024);
        var predicted = (await client.Models.PredictAsync(version.Name, new PredictRequest(Rows: rows))).EnsureValue();
        Assert.Equal(10_000, predicted.Predictions.Count);
        var more = await client.Models.PredictAsync(version.Name, new PredictRequest(Rows: [.. rows, rows[0]]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, more.Status);
        Assert.Contains("1 to 10,000 rows", more.Error!.Error.Details![0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_training_shows_its_leaderboard_as_it_grows_and_stopping_it_keeps_the_best_so_far()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(300));
        var name = MlData.Unique("stoppable");
        // 400 trials with a patience of 50: far more than this test lets it run.
        var started = (await client.Models.TrainAsync(new TrainModelRequest(name, data.Id, "regression", "price", Features: ["rooms", "area", "city"],
            Algorithm: "auto", MaxTrials: 400, Seed: 3))).EnsureValue();

        IReadOnlyList<LeaderboardEntryDto>? board = null;
        for (var i = 0; i < 3000 && board is not { Count: > 0 }; i++)
        {
            var training = (await client.Models.ListVersionsAsync(name)).EnsureValue().Single();
            Assert.Equal("training", training.Status);
            board = training.Leaderboard;
            if (board is not { Count: > 0 })
            {
                await Task.Delay(10);
            }
        }
        Assert.NotNull(board);
        Assert.All(board, e => Assert.Equal("r2", e.Metric));
        var asked = (await client.Models.FinishTrainingAsync(name, started.Version)).EnsureValue();
        Assert.Equal("training", asked.Status);

        var job = (await client.Jobs.WaitAsync(started.JobId, timeout: TimeSpan.FromMinutes(5))).EnsureValue();
        Assert.Equal(JobStatus.Succeeded, job.Status);
        var version = (await client.Models.ListVersionsAsync(name)).EnsureValue().Single();
        Assert.Equal("ready", version.Status);
        Assert.Equal("a stop by hand", version.Metrics!.Search!.Ended);
        Assert.InRange(version.Metrics.Search.Trials, board.Count, 399);
        Assert.Equal(version.Leaderboard![0].Algorithm, version.Algorithm);
        Assert.Equal(version.Leaderboard[0].Parameters, version.Parameters);
        // Ready models have nothing left to stop; unknown versions are not found; forecasting has no search to end.
        Assert.Equal(HttpStatusCode.Conflict, (await client.Models.FinishTrainingAsync(name, started.Version)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.FinishTrainingAsync(name, 99)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.FinishTrainingAsync(MlData.Unique("nothing"), 1)).Status);
    }

    [Fact]
    public async Task A_classifier_gives_probabilities_metrics_and_a_confusion_matrix_and_auto_keeps_a_leaderboard()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(300));
        var name = MlData.Unique("expensive");

        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "binary_classification", "expensive",
            Features: ["rooms", "area", "city"], Algorithm: "auto", MaxTrials: 5, CvFolds: 3, Seed: 11));

        var metrics = version.Metrics!;
        // The labels are the data's own words (yes/no was once typed boolean and came back true/false).
        Assert.Equal(["no", "yes"], metrics.Classes);
        Assert.True(metrics.RocAuc > 0.95, $"AUC {metrics.RocAuc}");
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy}");
        Assert.Equal(metrics.TestRows, metrics.ConfusionMatrix!.Sum(r => r.Sum()));
        Assert.Equal(0, metrics.RocCurve![0].FalsePositiveRate);
        Assert.Equal(1, metrics.RocCurve[^1].TruePositiveRate);
        // auto: the three fast learners' defaults, then the search until 5 trials or no gain in 3 (the patience for 5 trials).
        var search = metrics.Search!;
        Assert.Equal(search.Trials, version.Leaderboard!.Count);
        Assert.InRange(search.Trials, 4, 5);
        Assert.Equal(search.Trials == 5 ? "all 5 trials" : "no gain beyond the folds' noise in 3 trials", search.Ended);
        Assert.Equal("cross_validation", search.Validation);
        Assert.Equal(["fast_forest", "lightgbm", "linear"], version.Leaderboard!.Select(e => e.Algorithm).Distinct().Order());
        Assert.Equal(version.Algorithm, version.Leaderboard![0].Algorithm);
        // The probabilities were calibrated on the validation folds' predictions, never to a worse log loss there.
        var calibration = metrics.Calibration!;
        Assert.Contains(calibration.Method, new[] { "platt", "none" });
        Assert.True(calibration.ValidationLogLossAfter <= calibration.ValidationLogLossBefore, $"{calibration}");

        var rows = new PredictRequest(Rows: [House(6, 190, "Oslo"), House(1, 25, "Bergen")]);
        var predicted = (await client.Models.PredictAsync(name, rows)).EnsureValue();
        Assert.Equal("yes", predicted.Predictions[0].Prediction!.GetValue<string>());
        Assert.Equal("no", predicted.Predictions[1].Prediction!.GetValue<string>());
        foreach (var p in predicted.Predictions)
        {
            Assert.Equal(1, p.Probabilities!.Sum(x => x.Probability), 6);
            Assert.Equal(p.Probabilities!.Max(x => x.Probability), p.Confidence!.Value, 9);
        }
    }

    [Fact]
    public async Task A_multiclass_model_predicts_one_of_its_classes_and_handles_an_unseen_category_as_other()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(300));
        var name = MlData.Unique("tier");
        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "multiclass_classification", "tier",
            Features: ["rooms", "area", "city"], Algorithm: "lightgbm", CvFolds: 3));
        Assert.Equal(["high", "low", "mid"], version.Metrics!.Classes);
        Assert.True(version.Metrics!.Accuracy > 0.8, $"accuracy {version.Metrics.Accuracy}");
        Assert.Equal(3, version.Metrics.ConfusionMatrix!.Count);

        var predicted = (await client.Models.PredictAsync(name, new PredictRequest(Row: House(2, 50, "Stavanger")), explain: true)).EnsureValue();
        var p = Assert.Single(predicted.Predictions);
        Assert.Contains(p.Prediction!.GetValue<string>(), new[] { "high", "low", "mid" });
        Assert.Contains(p.Warnings!, w => w.Contains("Stavanger", StringComparison.Ordinal));
        Assert.Equal(p.Confidence!.Value - p.BaseValue!.Value, p.Contributions!.Sum(c => c.Contribution), 3);
    }

    [Fact]
    public async Task A_search_space_is_searched_within_its_bounds()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(150));
        var space = new Dictionary<string, IReadOnlyList<double>> { ["num_leaves"] = [4, 8], ["learning_rate"] = [0.05, 0.1] };
        var version = await MlData.TrainAsync(client, new TrainModelRequest(MlData.Unique("searched"), data.Id, "regression", "price",
            Features: ["rooms", "area", "city"], Algorithm: "lightgbm", SearchSpace: space, MaxTrials: 4, CvFolds: 3));
        Assert.Equal(4, version.Leaderboard!.Count);
        Assert.All(version.Leaderboard!, e =>
        {
            Assert.Equal("lightgbm", e.Algorithm);
            Assert.InRange(e.Parameters["num_leaves"], 4, 8);
            Assert.InRange(e.Parameters["learning_rate"], 0.05, 0.1);
        });
        Assert.Equal(version.Leaderboard![0].Parameters["num_leaves"], version.Parameters!["num_leaves"]);

        var auto = await client.Models.TrainAsync(new TrainModelRequest(MlData.Unique("x"), data.Id, "regression", "price", SearchSpace: space));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, auto.Status);
        Assert.Contains(auto.Error!.Error.Details!, d => d.Field == "search_space");
        var wide = await client.Models.TrainAsync(new TrainModelRequest(MlData.Unique("x"), data.Id, "regression", "price", Algorithm: "lightgbm",
            SearchSpace: new Dictionary<string, IReadOnlyList<double>> { ["num_leaves"] = [1, 1000] }));
        Assert.Contains(wide.Error!.Error.Details!, d => d.Field == "search_space.num_leaves" && d.Message.Contains("min ≤ max", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inputs_are_checked_against_the_feature_schema()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(100));
        var name = MlData.Unique("price");
        await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "linear"));

        var missing = await client.Models.PredictAsync(name, new PredictRequest(Row: new JsonObject { ["rooms"] = 2, ["city"] = "Oslo" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.Status);
        Assert.Contains(missing.Error!.Error.Details!, d => d.Field == "row.area" && d.Message.Contains("required", StringComparison.Ordinal));

        var wrongType = await client.Models.PredictAsync(name, new PredictRequest(Rows: [House(2, 50, "Oslo"), new JsonObject { ["rooms"] = "two", ["area"] = 50, ["city"] = "Oslo" }]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongType.Status);
        Assert.Contains(wrongType.Error!.Error.Details!, d => d.Field == "rows[1].rooms" && d.Message.Contains("number", StringComparison.Ordinal));

        var nullMeansMissing = (await client.Models.PredictAsync(name, new PredictRequest(Row: new JsonObject { ["rooms"] = null, ["area"] = 50, ["city"] = "Oslo" }))).EnsureValue();
        Assert.Single(nullMeansMissing.Predictions);

        var neither = await client.Models.PredictAsync(name, new PredictRequest());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, neither.Status);
    }

    [Fact]
    public async Task Bad_training_requests_are_refused_with_the_reason_and_nothing_is_registered()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(60));
        var constant = await MlData.UploadAsync(client, "a,b\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i},7\n")), "constant");
        var tiny = await MlData.UploadAsync(client, "a,b\n1,2\n2,3\n3,5\n", "tiny");
        var name = MlData.Unique("bad");

        async Task Refused(TrainModelRequest request, string field, string words)
        {
            var response = await client.Models.TrainAsync(request);
            Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, $"{response.Status} for {field}");
            Assert.Contains(response.Error!.Error.Details!, d => d.Field == field && d.Message.Contains(words, StringComparison.Ordinal));
        }

        await Refused(new TrainModelRequest(name, data.Id, "regression", "prize"), "target", "did you mean 'price'");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "city"), "target", "numeric target");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", Features: ["rooms", "price"]), "features[1]", "cannot also be a feature");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", Algorithm: "xgboost"), "algorithm", "unknown algorithm");
        await Refused(new TrainModelRequest(name, data.Id, "clustering", "price"), "task", "task must be one of");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", Algorithm: "lightgbm", HyperParameters: new Dictionary<string, double> { ["num_leaves"] = 1 }), "hyper_parameters.num_leaves", "between");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", CvFolds: 1), "cv_folds", "between 2 and 10");
        await Refused(new TrainModelRequest(name, tiny.Id, "regression", "b"), "dataset_id", "too few rows");
        await Refused(new TrainModelRequest(name, data.Id, "forecasting", "price", Horizon: 0), "time_column", "time_column");
        await Refused(new TrainModelRequest(name, data.Id, "forecasting", "price", TimeColumn: "rooms", Horizon: 0), "horizon", "between 1 and");
        await Refused(new TrainModelRequest(name, data.Id, "forecasting", "price", TimeColumn: "rooms", Horizon: 5000), "horizon", "between 1 and");
        await Refused(new TrainModelRequest(name, data.Id, "forecasting", "price", TimeColumn: "rooms"), "time_column", "must be a date or timestamp");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", TimeColumn: "rooms"), "time_column", "for forecasting only");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", Features: ["rooms", "rooms"]), "features", "listed twice");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", TestFraction: 0.9), "test_fraction", "between 0.05 and 0.5");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", HyperParameters: new Dictionary<string, double> { ["l2"] = 1 }), "hyper_parameters", "named algorithm");
        await Refused(new TrainModelRequest(name, data.Id, "regression", "price", Algorithm: "linear", HyperParameters: new Dictionary<string, double> { ["depth"] = 3 }), "hyper_parameters.depth", "has no parameter");
        await Refused(new TrainModelRequest("", data.Id, "regression", "price"), "name", "name is required");
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.TrainAsync(new TrainModelRequest(name, Guid.NewGuid(), "regression", "price"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Models.GetAsync(name)).Status);

        // A constant target is found by the job: the version is failed with the reason, never ready.
        var started = (await client.Models.TrainAsync(new TrainModelRequest(name, constant.Id, "regression", "b", Algorithm: "linear"))).EnsureValue();
        var job = (await client.Jobs.WaitAsync(started.JobId, timeout: TimeSpan.FromMinutes(2))).EnsureValue();
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("same value in every row", job.Error, StringComparison.Ordinal);
        var failed = Assert.Single((await client.Models.ListVersionsAsync(name)).EnsureValue());
        Assert.Equal("failed", failed.Status);
        Assert.Contains("same value in every row", failed.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await client.Models.PredictAsync(name, new PredictRequest(Row: new JsonObject { ["a"] = 1 }))).Status);
    }

    [Fact]
    public async Task A_forecast_follows_trend_and_season_with_intervals()
    {
        var client = (await Platform.NewTenantAsync()).Admin;
        var data = await MlData.UploadAsync(client, MlData.MonthlySales(96), "sales");
        var name = MlData.Unique("sales forecast");
        var version = await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "forecasting", "sales", TimeColumn: "month", Horizon: 12));
        Assert.Equal("mase", version.Metrics!.PrimaryMetric);
        Assert.Equal(12, version.Parameters!["season_length"]);
        Assert.True(version.Metrics.Mase < 1, $"MASE {version.Metrics.Mase}");

        var forecast = (await client.Models.ForecastAsync(name, horizon: 24)).EnsureValue();
        var series = Assert.Single(forecast.Series);
        Assert.Equal("month", forecast.Frequency);
        Assert.Equal(24, series.Forecast.Count);
        Assert.Equal(new DateTime(2023, 1, 1), series.Forecast[0].Time);
        for (var i = 0; i < 24; i++)
        {
            var month = new DateTime(2023, 1, 1).AddMonths(i);
            var expected = 100 + (2 * (96 + i)) + (20 * Math.Sin(2 * Math.PI * (month.Month - 1) / 12)) + 2;
            Assert.InRange(series.Forecast[i].Value, expected - 12, expected + 12);
            Assert.True(series.Forecast[i].Lower < series.Forecast[i].Value && series.Forecast[i].Value < series.Forecast[i].Upper);
        }
        var predicted = (await client.Models.PredictAsync(name, new PredictRequest(Row: new JsonObject { ["month"] = "2023-03-01" }))).EnsureValue();
        Assert.Equal(series.Forecast[2].Value, predicted.Predictions[0].Prediction!.GetValue<double>(), 9);

        // Gradient boosting on lags, asked for by name: it learns the yearly differences and carries the trend on.
        var boosted = MlData.Unique("sales gbm");
        var gbm = await MlData.TrainAsync(client, new TrainModelRequest(boosted, data.Id, "forecasting", "sales", TimeColumn: "month", Horizon: 12, Algorithm: "gbm_lags"));
        Assert.Equal("gbm_lags", gbm.Algorithm);
        var gbmForecast = Assert.Single((await client.Models.ForecastAsync(boosted, horizon: 12)).EnsureValue().Series);
        Assert.Equal("gbm_lags", gbmForecast.Method);
        for (var i = 0; i < 12; i++)
        {
            var month = new DateTime(2023, 1, 1).AddMonths(i);
            var expected = 100 + (2 * (96 + i)) + (20 * Math.Sin(2 * Math.PI * (month.Month - 1) / 12)) + 2;
            Assert.InRange(gbmForecast.Forecast[i].Value, expected - 15, expected + 15);
        }
        var again = (await client.Models.PredictAsync(boosted, new PredictRequest(Row: new JsonObject { ["month"] = "2023-05-01" }))).EnsureValue();
        Assert.Equal(gbmForecast.Forecast[4].Value, again.Predictions[0].Prediction!.GetValue<double>(), 9);

        // The Theta method, asked for by name: the season taken out and put back, the trend carried on as its drift.
        var thetaName = MlData.Unique("sales theta");
        var theta = await MlData.TrainAsync(client, new TrainModelRequest(thetaName, data.Id, "forecasting", "sales", TimeColumn: "month", Horizon: 12, Algorithm: "theta"));
        Assert.Equal("theta", theta.Algorithm);
        Assert.InRange(theta.Parameters!["drift"], 0.5, 1.5);
        Assert.InRange(theta.Parameters["alpha"], 0, 1);
        var thetaForecast = Assert.Single((await client.Models.ForecastAsync(thetaName, horizon: 12)).EnsureValue().Series);
        Assert.Equal("theta", thetaForecast.Method);
        // The served forecast is the method's own on the whole history (ForecastReferenceTests hold the method to R's thetaf),
        // its interval ± 1.645 times the method's error spread at each step.
        Assert.Equal(96, thetaForecast.History.Count);
        var fitted = Astralytiq.ML.Forecasting.Theta.Fit(thetaForecast.History.Select(p => p.Value).ToArray(), 12);
        var (values, spread) = (fitted.Forecast(12), fitted.ErrorScale(12));
        Assert.Equal(fitted.Drift, theta.Parameters["drift"], 5);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(values[i], thetaForecast.Forecast[i].Value, 6);
            Assert.Equal(values[i] + (1.6448536269514722 * spread[i]), thetaForecast.Forecast[i].Upper!.Value, 6);
        }
        // The trend goes on: next year's mean above the last year's (over a whole season the season cancels).
        Assert.True(thetaForecast.Forecast.Average(p => p.Value) > thetaForecast.History.TakeLast(12).Average(p => p.Value));
    }
}

public sealed class ModelTests_Sqlite(SqlitePlatform platform) : ModelTests<SqlitePlatform>(platform);

public sealed class ModelTests_Postgres(PostgresPlatform platform) : ModelTests<PostgresPlatform>(platform);
