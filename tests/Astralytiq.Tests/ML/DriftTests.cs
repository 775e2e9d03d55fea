using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.ML;
using Astralytiq.ML.Monitoring;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.ML;

/// <summary>One generated case of P21: sample sizes, a scale, a shift of at least one standard deviation and a seed.</summary>
public sealed record DriftCase(int ReferenceSize, int CurrentSize, double Scale, double Shift, int Seed);

public static class DriftCases
{
    public static Arbitrary<DriftCase> Cases() =>
        (from reference in Gen.Choose(100, 3000)
         from current in Gen.Choose(80, 2000)
         from scale in Gen.Choose(1, 1000).Select(s => s / 10.0)
         from shift in Gen.Choose(10, 30).Select(s => s / 10.0)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         select new DriftCase(reference, current, scale, shift, seed)).ToArbitrary();
}

/// <summary>P21: drift is detected where the data moved and stays quiet where it did not (false-positive rates measured).</summary>
public sealed class DriftDetectionProperties(ITestOutputHelper output)
{
    private static double[] Normal(Random random, int n, double mean, double scale) =>
        [.. Enumerable.Range(0, n).Select(_ => mean + (scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];

    private static string[] Labels(Random random, int n, double[] weights)
    {
        var total = weights.Sum();
        return [.. Enumerable.Range(0, n).Select(_ =>
        {
            var u = random.NextDouble() * total;
            var i = 0;
            while (i < weights.Length - 1 && (u -= weights[i]) >= 0)
            {
                i++;
            }
            return "c" + i.ToString(CultureInfo.InvariantCulture);
        })];
    }

    /// <summary>P21: a numeric feature moved by at least one standard deviation, and a category mix turned around, are reported as drift whatever the method the sample sizes pick.</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(DriftCases)])]
    public void P21_a_shift_of_a_standard_deviation_or_more_is_detected_by_the_method_the_sample_sizes_pick(DriftCase c)
    {
        var random = new Random(c.Seed);
        var reference = Normal(random, c.ReferenceSize, 10, c.Scale);
        var current = Normal(random, c.CurrentSize, 10 + (c.Shift * c.Scale), c.Scale);
        var numeric = DriftService.Numeric("x", reference, current);
        Assert.True(numeric.Drifted, $"{numeric.Method} {numeric.Statistic} (p {numeric.PValue}) missed a shift of {c.Shift} sd");
        Assert.Equal(c.ReferenceSize <= DriftMethods.SmallSample ? "ks" : "wasserstein", numeric.Method);
        Assert.True(numeric.Psi > DriftMethods.PsiThreshold, $"PSI {numeric.Psi} for a shift of {c.Shift} sd");

        var categorical = DriftService.Categorical("c", Labels(random, c.ReferenceSize, [6, 3, 1]), Labels(random, c.CurrentSize, [1, 3, 6]));
        Assert.True(categorical.Drifted, $"{categorical.Method} {categorical.Statistic} missed a turned-around mix");
        Assert.Equal(c.ReferenceSize <= DriftMethods.SmallSample ? "chi_square" : "jensen_shannon", categorical.Method);
    }

    /// <summary>
    /// On data that did not move, the tests fire at about their significance level (5 %) and the distances almost never
    /// once a window holds 2,000 values: 1,000 trials of each test, 200 of each distance; a correct implementation
    /// exceeds the bounds below with probability under 1e-5.
    /// </summary>
    [Fact]
    public void Unshifted_data_stays_quiet_at_the_expected_false_positive_rates()
    {
        var random = new Random(21);
        const int trials = 1000;
        int ks = 0, chi = 0, wasserstein = 0, wassersteinSmall = 0, js = 0;
        for (var t = 0; t < trials; t++)
        {
            ks += DriftService.Numeric("x", Normal(random, 300, 0, 1), Normal(random, 200, 0, 1)).Drifted ? 1 : 0;
            chi += DriftService.Categorical("c", Labels(random, 300, [5, 3, 2]), Labels(random, 200, [5, 3, 2])).Drifted ? 1 : 0;
            if (t < 200)
            {
                wasserstein += DriftService.Numeric("x", Normal(random, 2000, 0, 1), Normal(random, 2000, 0, 1)).Drifted ? 1 : 0;
                wassersteinSmall += DriftService.Numeric("x", Normal(random, 2000, 0, 1), Normal(random, 500, 0, 1)).Drifted ? 1 : 0;
                js += DriftService.Categorical("c", Labels(random, 2000, [5, 3, 2]), Labels(random, 500, [5, 3, 2])).Drifted ? 1 : 0;
            }
        }
        output.WriteLine($"false positives: KS {ks} of {trials}, chi-square {chi} of {trials}, Wasserstein {wasserstein} of 200 (2,000 current values), " +
            $"{wassersteinSmall} of 200 (500 current values), Jensen-Shannon {js} of 200");
        // Binomial(1000, 0.05): mean 50, sd 6.9 — at most 85 (5 sd); the discrete tests are a little conservative, so at least 15.
        Assert.InRange(ks, 15, 85);
        Assert.InRange(chi, 15, 85);
        Assert.True(wasserstein <= 2 && js <= 2, $"distances fired on unmoved data: Wasserstein {wasserstein}, Jensen-Shannon {js} of 200");
        // Evidently's 0.1 standard deviations is within the sampling noise of a 500-value window about one time in twelve
        // (recorded in docs/performance.md); far more would mean the distance is wrong.
        Assert.InRange(wassersteinSmall, 0, 30);
    }
}

/// <summary>Drift of a deployment's logged inputs against the training data, measured on request and by the scheduler.</summary>
public abstract class DriftTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    /// <summary>The host's clock (the server logs predictions by it).</summary>
    private DateTimeOffset Now() => Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    [Fact]
    public async Task Inputs_like_the_training_data_stay_quiet_and_moved_inputs_are_reported_by_feature()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        await using var receiver = new WebhookReceiver();
        (await client.Webhooks.CreateAsync(new Astralytiq.Contracts.Notifications.WebhookEndpointRequest(receiver.Url(), null, ["deployment.drift_detected"], null))).EnsureSuccess();
        var csv = MlData.Houses(200);
        var data = await MlData.UploadAsync(client, csv);
        var name = MlData.Unique("drifting");
        await MlData.TrainAsync(client, new TrainModelRequest(name, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "linear", CvFolds: 2, Seed: 4));
        (await client.Deployments.CreateAsync(new CreateDeploymentRequest("drift", [new DeploymentVariantDto("a", name, Weight: 100)], LogSampleRate: 1))).EnsureSuccess();
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(','))
            .Select(f => new JsonObject { ["rooms"] = int.Parse(f[0], CultureInfo.InvariantCulture), ["area"] = double.Parse(f[1], CultureInfo.InvariantCulture), ["city"] = f[2] }).ToList();

        // Too few predictions: a clear refusal, nothing stored.
        var early = Now();
        Assert.Equal(HttpStatusCode.Conflict, (await client.Deployments.MeasureDriftAsync("drift", early.AddMinutes(-5), early)).Status);

        // The training rows themselves: every feature quiet (KS and chi-square see the same distributions).
        var start = Now();
        (await client.Deployments.PredictAsync("drift", new DeploymentPredictRequest(Rows: [.. rows.Select(r => (JsonObject)r.DeepClone())]))).EnsureSuccess();
        var middle = Now().AddMilliseconds(1);
        var quiet = (await client.Deployments.MeasureDriftAsync("drift", start, middle)).EnsureValue();
        Assert.Equal((200, false, 0d), (quiet.Predictions, quiet.Drifted, quiet.DriftedShare));
        Assert.Equal(["area:ks", "city:chi_square", "rooms:ks"], quiet.Features.Select(f => $"{f.Feature}:{f.Method}").Order(StringComparer.Ordinal));
        Assert.All(quiet.Features, f => Assert.Equal((0d, 1d, 200, 200), (f.Statistic, f.PValue!.Value, f.ReferenceCount, f.CurrentCount)));

        // Larger flats in Tromsø only: area and city drift, rooms (the same) does not.
        await Task.Delay(5);
        var moved = rows.Select(r => new JsonObject { ["rooms"] = r["rooms"]!.GetValue<int>(), ["area"] = r["area"]!.GetValue<double>() + 150, ["city"] = "Tromsø" }).ToList();
        (await client.Deployments.PredictAsync("drift", new DeploymentPredictRequest(Rows: moved))).EnsureSuccess();
        var end = Now().AddMilliseconds(1);
        var drifted = (await client.Deployments.MeasureDriftAsync("drift", middle, end)).EnsureValue();
        var byFeature = drifted.Features.ToDictionary(f => f.Feature);
        Assert.True(byFeature["area"].Drifted && byFeature["area"].PValue < 1e-10);
        Assert.True(byFeature["city"].Drifted && byFeature["city"].Psi > 0.1);
        Assert.False(byFeature["rooms"].Drifted);
        Assert.Equal((2d / 3, true), (drifted.DriftedShare, drifted.Drifted));

        // Both windows are kept and read back in order; the webhook heard of the drifted one only.
        var report = (await client.Deployments.DriftAsync("drift", start.AddMinutes(-1), end.AddMinutes(1))).EnsureValue();
        Assert.Equal([false, true], report.Windows.Select(w => w.Drifted));
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Received.Count == 1), TimeSpan.FromSeconds(30), "the drift webhook");
        Assert.Contains("\"drifted_features\":[\"area\",\"city\"]", receiver.Received.Single().Body, StringComparison.Ordinal);

        // The scheduler measures a window once, for deployments with enough predictions in it.
        var scheduler = Platform.Services.GetRequiredService<DriftScheduler>();
        Assert.Equal(0, await scheduler.RunAsync(start, middle, CancellationToken.None, onlyTenant: tenant.Id)); // already measured
        Assert.Equal(1, await scheduler.RunAsync(start, end, CancellationToken.None, onlyTenant: tenant.Id));
        Assert.Equal(0, await scheduler.RunAsync(start, end, CancellationToken.None, onlyTenant: tenant.Id));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Deployments.MeasureDriftAsync("drift", end, start)).Status);

        // Alert rules can watch it: the largest drifted share of the windows that ended in the last hour.
        var watched = (await client.Alerts.SeriesAsync("deployment_drift", windowMinutes: 60, points: 1)).EnsureValue().Points[^1].Value;
        Assert.True(watched >= (200 / 3.0) - 1e-9 && watched <= 100, $"deployment_drift read {watched}");
        Assert.Equal(HttpStatusCode.NotFound, (await (await Platform.NewTenantAsync()).Admin.Deployments.DriftAsync("drift")).Status);
    }
}

public sealed class DriftTests_Sqlite(SqlitePlatform platform) : DriftTests<SqlitePlatform>(platform);

public sealed class DriftTests_Postgres(PostgresPlatform platform) : DriftTests<PostgresPlatform>(platform);
