using System.Net;
using System.Text.Json.Nodes;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.ML;
using Astralytiq.ML.Deployments;
using Astralytiq.ML.Prediction;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.Distributions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.ML;

/// <summary>One generated case of P20: weights of two or three variants (whole percents adding up to 100, zeros allowed) and request keys.</summary>
public sealed record SplitCase(int[] Weights, string[] Keys);

public static class SplitCases
{
    public static Arbitrary<SplitCase> Cases() =>
        (from count in Gen.Choose(2, 3)
         from cuts in Gen.Choose(0, 100).ArrayOf(count - 1)
         from keys in ArbMap.Default.GeneratorFor<NonEmptyString>().Select(k => k.Get).ArrayOf(10)
         let sorted = cuts.Order().ToArray()
         select new SplitCase([.. sorted.Prepend(0).Zip(sorted.Append(100), (a, b) => b - a)], [.. keys.Distinct().Where(k => k.Length <= 200)])).ToArbitrary();
}

/// <summary>Statistics the split tests share: the false-failure rate of each test is fixed here and accounted for.</summary>
internal static class SplitStatistics
{
    /// <summary>
    /// Each test of a split fails a correct platform with probability at most this (per variant, Bonferroni): over the
    /// 100 cases of a property and the variants of a case, a correct platform fails a run with probability below 1e-4.
    /// </summary>
    public const double Alpha = 1e-7;

    /// <summary>True when <paramref name="observed"/> of <paramref name="n"/> is a likely draw from Binomial(n, p) (two-sided, exact).</summary>
    public static bool Plausible(int observed, int n, double p)
    {
        if (p <= 0)
        {
            return observed == 0;
        }
        if (p >= 1)
        {
            return observed == n;
        }
        // MathNet's CDF is NaN at x = n (an incomplete beta with b = 0): both tails are worked out only inside the range.
        var below = observed >= n ? 1 : Binomial.CDF(p, n, observed);
        var above = observed <= 0 ? 1 : 1 - Binomial.CDF(p, n, observed - 1);
        return Math.Min(1, 2 * Math.Min(below, above)) >= Alpha;
    }

    /// <summary>Pearson's chi-square p-value of counts against expected shares (cells with no share must be empty).</summary>
    public static double ChiSquareP(int[] counts, double[] shares)
    {
        var n = counts.Sum();
        var statistic = 0d;
        var cells = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (shares[i] <= 0)
            {
                if (counts[i] > 0)
                {
                    return 0;
                }
                continue;
            }
            var expected = n * shares[i];
            statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
            cells++;
        }
        return cells < 2 ? 1 : 1 - ChiSquared.CDF(cells - 1, statistic);
    }
}

/// <summary>
/// Deployments (P20): the split by weight, sticky keys, shadows that never answer, revisions with rollback and
/// promotion, metrics, and changes under load that lose no request.
/// </summary>
public abstract class DeploymentTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static readonly JsonObject Row = new() { ["rooms"] = 3, ["area"] = 100.0, ["city"] = "Oslo" };

    private static TrainModelRequest Train(string name, Guid dataset, string algorithm = "linear") =>
        new(name, dataset, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: algorithm, CvFolds: 2, Seed: 5);

    /// <summary>A tenant with a model of two versions (linear, then fast_tree).</summary>
    private async Task<(AstralytiqClient Client, string Model)> ModelAsync()
    {
        var (tenant, model) = await TenantModelAsync();
        return (tenant.Admin, model);
    }

    private async Task<(TestTenant Tenant, string Model)> TenantModelAsync()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(120));
        var name = MlData.Unique("price");
        await MlData.TrainAsync(client, Train(name, data.Id));
        await MlData.TrainAsync(client, Train(name, data.Id, "fast_tree"));
        return (tenant, name);
    }

    private async Task<TResult> InScopeAsync<TResult>(Func<IServiceProvider, Task<TResult>> work)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>The host's clock (the server logs predictions by it).</summary>
    private DateTimeOffset Now() => Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    [Fact]
    public async Task Requests_split_by_weight_keys_stick_and_shadows_get_a_copy_but_never_answer()
    {
        var (tenant, model) = await TenantModelAsync();
        var client = tenant.Admin;
        var created = (await client.Deployments.CreateAsync(new CreateDeploymentRequest("houses",
            [new DeploymentVariantDto("stable", model, Version: 1, Weight: 70), new DeploymentVariantDto("challenger", model, Version: 2, Weight: 30)],
            [new ShadowVariantDto("next", model, Version: 2)], LogSampleRate: 1, Reason: "first release"))).EnsureValue();
        Assert.Equal((1, "live", "regression"), (created.Revision, created.Status, created.Task));
        Assert.Equal([("stable", 1, false), ("challenger", 2, false), ("next", 2, true)], created.Variants.Select(v => (v.Name, v.ServingVersion, v.Shadow)));

        const int n = 300;
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < n; i++)
        {
            var answer = (await client.Deployments.PredictAsync("houses", new DeploymentPredictRequest(Row: Row))).EnsureValue();
            counts[answer.Variant] = counts.GetValueOrDefault(answer.Variant) + 1;
            Assert.Equal(answer.Variant == "stable" ? 1 : 2, answer.Version);
            Assert.Single(answer.Predictions);
        }
        Assert.DoesNotContain("next", counts.Keys);
        Assert.True(SplitStatistics.Plausible(counts.GetValueOrDefault("stable"), n, 0.7), $"stable answered {counts.GetValueOrDefault("stable")} of {n} at 70 %");

        // The same key, the same variant, every time; the key in the header works as in the body.
        var keyed = new Dictionary<string, string>();
        for (var k = 0; k < 20; k++)
        {
            var key = "customer-" + k;
            var first = (await client.Deployments.PredictAsync("houses", new DeploymentPredictRequest(Rows: [Row, Row], Key: key))).EnsureValue();
            keyed[key] = first.Variant;
            for (var again = 0; again < 3; again++)
            {
                Assert.Equal(first.Variant, (await client.Deployments.PredictAsync("houses", new DeploymentPredictRequest(Row: Row, Key: key))).EnsureValue().Variant);
            }
        }
        var viaHeader = await client.SendAsync<DeploymentPredictResponse>(HttpMethod.Post, "api/v1/ml/deployments/houses/predict", new DeploymentPredictRequest(Row: Row),
            CancellationToken.None, headers: new Dictionary<string, string> { ["X-Request-Key"] = "customer-3" });
        Assert.Equal(keyed["customer-3"], viaHeader.EnsureValue().Variant);

        // A variant named in the header answers (a shadow too, for testing); an unknown one is a clear 422.
        Assert.Equal("next", (await client.Deployments.PredictAsync("houses", new DeploymentPredictRequest(Row: Row), variant: "next")).EnsureValue().Variant);
        var unknown = await client.Deployments.PredictAsync("houses", new DeploymentPredictRequest(Row: Row), variant: "nope");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.Status);
        Assert.Contains("stable, challenger, next", unknown.Error!.Error.Details![0].Message, StringComparison.Ordinal);
        var bad = await client.Deployments.PredictAsync("houses", new DeploymentPredictRequest(Row: new JsonObject { ["rooms"] = "many", ["area"] = 1.0, ["city"] = "Oslo" }), variant: "stable");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Contains(bad.Error!.Error.Details!, d => d.Field == "row.rooms");

        // Every request (the refused bad row too) reached the shadow as a copy, except the one sent to the shadow itself;
        // the metrics count variants and the shadow apart: 300 + 80 keyed + 1 by header + 1 bad row answered by variants.
        await Platform.Services.GetRequiredService<ShadowRunner>().IdleAsync(CancellationToken.None);
        var metrics = (await client.Deployments.MetricsAsync("houses")).EnsureValue();
        var byName = metrics.Variants.ToDictionary(v => v.Variant);
        Assert.Equal(382, byName["stable"].Requests + byName["challenger"].Requests);
        Assert.Equal(402, byName["stable"].Rows + byName["challenger"].Rows);
        Assert.Equal((1L, 0L), (byName["stable"].Errors, byName["challenger"].Errors));
        Assert.Equal((true, 383L, 403L, 1L), (byName["next"].Shadow, byName["next"].Requests, byName["next"].Rows, byName["next"].Errors));
        Assert.All(byName.Values, v => Assert.True(v.LatencyP50Ms > 0 && v.LatencyP99Ms >= v.LatencyP50Ms && v.PredictionMean > 100 && v.PredictionMean >= v.PredictionMin - 1e-9 && v.PredictionMean <= v.PredictionMax + 1e-9,
            $"{v.Variant}: p50 {v.LatencyP50Ms}, p99 {v.LatencyP99Ms}, mean {v.PredictionMean}, std {v.PredictionStd}"));
        Assert.Equal(byName["stable"].Requests, byName["stable"].Series.Sum(p => p.Requests));

        // The log holds each answered row with its variant (sampled at 100 % here); the shadow's answers are marked.
        await Platform.Services.GetRequiredService<PredictionLogWriter>().FlushAsync(CancellationToken.None);
        var logged = await InScopeAsync(async sp =>
        {
            using var _ = sp.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            return await sp.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>().Predictions.AsNoTracking().Where(p => p.DeploymentId == created.Id).ToListAsync();
        });
        Assert.Equal(401, logged.Count(p => !p.Shadow));
        Assert.Equal(402, logged.Count(p => p.Shadow));
        Assert.Equal(10, logged.Count(p => p.RequestKey == "customer-1"));
        Assert.All(logged.Where(p => !p.Shadow), p => Assert.Contains(p.Variant, new[] { "stable", "challenger" }));
    }

    [Fact]
    public async Task Every_change_is_a_revision_and_rollback_and_promotion_take_one_call()
    {
        var (tenant, model) = await TenantModelAsync();
        var client = tenant.Admin;
        (await client.Deployments.CreateAsync(new CreateDeploymentRequest("ab", [new DeploymentVariantDto("a", model, Version: 1, Weight: 50),
            new DeploymentVariantDto("b", model, Weight: 50)]))).EnsureValue();
        var weights = (await client.Deployments.SetWeightsAsync("ab", new SetWeightsRequest(new Dictionary<string, double> { ["a"] = 90, ["b"] = 10 }, "b looks slow"))).EnsureValue();
        Assert.Equal((2, 90d, 10d), (weights.Revision, weights.Variants[0].Weight, weights.Variants[1].Weight));
        Assert.Equal(2, weights.Variants[1].Version); // a variant named without version is pinned to the newest ready one

        var promoted = (await client.Deployments.PromoteAsync("ab", new PromoteVariantRequest("b"))).EnsureValue();
        Assert.Equal([("b", 100d)], promoted.Variants.Select(v => (v.Name, v.Weight)));
        Assert.Equal("b", (await client.Deployments.PredictAsync("ab", new DeploymentPredictRequest(Row: Row))).EnsureValue().Variant);

        var back = (await client.Deployments.RollbackAsync("ab", new RollbackDeploymentRequest(Reason: "b misbehaves"))).EnsureValue();
        Assert.Equal((4, 90d), (back.Revision, back.Variants.Single(v => v.Name == "a").Weight));
        var revisions = (await client.Deployments.RevisionsAsync("ab")).EnsureValue();
        Assert.Equal(["rolled_back", "promoted", "weights", "created"], revisions.Select(r => r.Kind));
        Assert.Equal(["b misbehaves", "promoted b", "b looks slow", null], revisions.Select(r => r.Reason));
        Assert.All(revisions, r => Assert.Equal(tenant.AdminUser.Id, r.ActorId));
        Assert.Equal(revisions[2].Spec.Variants.Select(v => (v.Name, v.Weight)), revisions[0].Spec.Variants.Select(v => (v.Name, v.Weight)));
        var first = (await client.Deployments.RollbackAsync("ab", new RollbackDeploymentRequest(Revision: 1))).EnsureValue();
        Assert.Equal([50d, 50d], first.Variants.Select(v => v.Weight));

        // Wrong input is named and changes nothing.
        async Task Refused(Task<ApiResponse<DeploymentDto>> call, HttpStatusCode status, string field)
        {
            var r = await call;
            Assert.Equal(status, r.Status);
            if (field.Length > 0)
            {
                Assert.Contains(r.Error!.Error.Details!, d => d.Field == field);
            }
        }
        await Refused(client.Deployments.SetWeightsAsync("ab", new SetWeightsRequest(new Dictionary<string, double> { ["a"] = 60 })), HttpStatusCode.UnprocessableEntity, "variants");
        await Refused(client.Deployments.SetWeightsAsync("ab", new SetWeightsRequest(new Dictionary<string, double> { ["c"] = 60 })), HttpStatusCode.UnprocessableEntity, "weights.c");
        await Refused(client.Deployments.RollbackAsync("ab", new RollbackDeploymentRequest(Revision: 9)), HttpStatusCode.UnprocessableEntity, "revision");
        await Refused(client.Deployments.PromoteAsync("ab", new PromoteVariantRequest("zz")), HttpStatusCode.UnprocessableEntity, "variant");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("ab", [new DeploymentVariantDto("a", model, Weight: 100)])), HttpStatusCode.Conflict, "");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("Bad Name", [new DeploymentVariantDto("a", model, Weight: 100)])), HttpStatusCode.UnprocessableEntity, "name");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("x1", [new DeploymentVariantDto("a", "no such model", Weight: 100)])), HttpStatusCode.UnprocessableEntity, "variants[0].model");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("x2", [new DeploymentVariantDto("a", model, Version: 7, Weight: 100)])), HttpStatusCode.UnprocessableEntity, "variants[0].model");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("x3", [new DeploymentVariantDto("a", model, Weight: 50), new DeploymentVariantDto("a", model, Weight: 50)])),
            HttpStatusCode.UnprocessableEntity, "variants[1].name");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("x4", [new DeploymentVariantDto("a", model, Weight: 0)])), HttpStatusCode.UnprocessableEntity, "variants");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("x5", [new DeploymentVariantDto("a", model, Weight: 50), new DeploymentVariantDto("b", model, Weight: 50)],
            Canary: new CanaryPolicyDto("b", [50, 10]))), HttpStatusCode.UnprocessableEntity, "canary.steps");
        await Refused(client.Deployments.CreateAsync(new CreateDeploymentRequest("x6", [new DeploymentVariantDto("a", model, Weight: 100)], LogSampleRate: 2)), HttpStatusCode.UnprocessableEntity, "log_sample_rate");
        Assert.Equal(HttpStatusCode.NotFound, (await client.Deployments.GetAsync("missing")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Deployments.PredictAsync("missing", new DeploymentPredictRequest(Row: Row))).Status);
        Assert.Equal(5, (await client.Deployments.GetAsync("ab")).EnsureValue().Revision);
        Assert.Equal(1, (await client.Deployments.ListAsync()).EnsureValue().Total);

        // Another organisation sees none of it.
        var other = (await Platform.NewTenantAsync()).Admin;
        Assert.Equal(HttpStatusCode.NotFound, (await other.Deployments.GetAsync("ab")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Deployments.PredictAsync("ab", new DeploymentPredictRequest(Row: Row))).Status);
        Assert.Equal(0, (await other.Deployments.ListAsync()).EnsureValue().Total);

        (await client.Deployments.DeleteAsync("ab")).EnsureSuccess();
        Assert.Equal(HttpStatusCode.NotFound, (await client.Deployments.PredictAsync("ab", new DeploymentPredictRequest(Row: Row))).Status);
    }

    [Fact]
    public async Task Changing_and_rolling_back_under_load_loses_no_request()
    {
        var (client, model) = await ModelAsync();
        (await client.Deployments.CreateAsync(new CreateDeploymentRequest("busy", [new DeploymentVariantDto("a", model, Version: 1, Weight: 50),
            new DeploymentVariantDto("b", model, Version: 2, Weight: 50)]))).EnsureValue();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var answered = 0;
        var load = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await client.Deployments.PredictAsync("busy", new DeploymentPredictRequest(Row: Row));
                if (!r.IsSuccess)
                {
                    lock (failures)
                    {
                        failures.Add($"{r.Status}: {r.Error?.Error.Message}");
                    }
                }
                Interlocked.Increment(ref answered);
            }
        })).ToList();
        for (var i = 0; i < 4; i++)
        {
            (await client.Deployments.PromoteAsync("busy", new PromoteVariantRequest(i % 2 == 0 ? "a" : "b"))).EnsureValue();
            (await client.Deployments.RollbackAsync("busy")).EnsureValue();
        }
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Empty(failures);
        Assert.True(answered > 20, $"only {answered} requests ran during the changes");
        Assert.Equal(9, (await client.Deployments.GetAsync("busy")).EnsureValue().Revision);
    }

    [Fact]
    public async Task Registry_and_deployment_changes_reach_the_webhooks_that_take_them_and_old_log_rows_are_purged()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        await using var receiver = new WebhookReceiver();
        (await client.Webhooks.CreateAsync(new Astralytiq.Contracts.Notifications.WebhookEndpointRequest(receiver.Url(), null, ["model.*", "deployment.changed"], null))).EnsureSuccess();
        var data = await MlData.UploadAsync(client, MlData.Houses(80));
        var name = MlData.Unique("hooked");
        await MlData.TrainAsync(client, Train(name, data.Id));
        (await client.Models.SetAliasAsync(name, "production", 1)).EnsureSuccess();
        (await client.Deployments.CreateAsync(new CreateDeploymentRequest("hooked", [new DeploymentVariantDto("a", name, Alias: "production", Weight: 100)], Reason: "go"))).EnsureSuccess();
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Received.Count >= 3), TimeSpan.FromSeconds(30), "three webhook events");
        var events = receiver.Received.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["deployment.changed", "model.alias_moved", "model.version_ready"], events.Select(e => e.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "model.version_ready" && e.GetProperty("data").GetProperty("version").GetInt32() == 1);
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "model.alias_moved" && e.GetProperty("data").GetProperty("alias").GetString() == "production");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "deployment.changed" && e.GetProperty("data").GetProperty("change").GetString() == "created"
            && e.GetProperty("data").GetProperty("reason").GetString() == "go");
        Assert.Equal(0, (await client.Notifications.ListAsync()).EnsureValue().Total); // machine events: nobody told in the app

        // The alias is followed: moved to a new version, the deployment serves it at once.
        await MlData.TrainAsync(client, Train(name, data.Id, "fast_tree"));
        (await client.Models.SetAliasAsync(name, "production", 2)).EnsureSuccess();
        Assert.Equal(2, (await client.Deployments.PredictAsync("hooked", new DeploymentPredictRequest(Row: Row))).EnsureValue().Version);

        // Retention: rows older than the configured days go, newer ones stay.
        await Platform.Services.GetRequiredService<PredictionLogWriter>().FlushAsync(CancellationToken.None);
        await Platform.Services.GetRequiredService<DeploymentMeterWriter>().FlushAsync(CancellationToken.None);
        var settings = Platform.Services.GetRequiredService<Astralytiq.ML.MlSettings>();
        var retention = Platform.Services.GetRequiredService<MlRetention>();
        var kept = await InScopeAsync(async sp =>
        {
            using var _ = sp.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            return await sp.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>().Predictions.CountAsync();
        });
        Assert.True(kept >= 1);
        // (Only this organisation's rows: the host is shared with tests that count their own log rows meanwhile.)
        Assert.Equal((0L, 0L), await retention.PurgeAsync(Now(), CancellationToken.None, onlyTenant: tenant.Id));
        var after = await InScopeAsync(async sp =>
        {
            using var _ = sp.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            return await sp.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>().Predictions.CountAsync();
        });
        Assert.Equal(kept, after);
        var (purged, _) = await retention.PurgeAsync(Now().AddDays(Math.Max(settings.PredictionLogRetentionDays, settings.DeploymentStatsRetentionDays) + 1), CancellationToken.None, onlyTenant: tenant.Id);
        Assert.Equal(kept, purged);
        var gone = await InScopeAsync(async sp =>
        {
            using var _ = sp.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            return (await sp.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>().Predictions.CountAsync(),
                await sp.GetRequiredService<Astralytiq.ML.Persistence.MlDbContext>().DeploymentStats.CountAsync());
        });
        Assert.Equal((0, 0), gone);
    }

    /// <summary>
    /// P20: for any weights and request stream, the observed split matches the weights (exact binomial test per variant
    /// at <see cref="SplitStatistics.Alpha"/>), a key always reaches the same variant, a 0 % variant and the shadow never answer.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(SplitCases)])]
    public async Task P20_the_observed_split_matches_the_weights_keys_stick_and_shadows_never_answer(SplitCase c)
    {
        var (client, model) = await SharedModelAsync();
        var names = c.Weights.Select((_, i) => "v" + i).ToArray();
        var deployment = "p20-" + Guid.NewGuid().ToString("N")[..10];
        (await client.Deployments.CreateAsync(new CreateDeploymentRequest(deployment,
            [.. names.Select((v, i) => new DeploymentVariantDto(v, model, Version: 1 + (i % 2), Weight: c.Weights[i]))],
            [new ShadowVariantDto("shadow", model, Version: 1)], LogSampleRate: 0))).EnsureValue();
        const int n = 24;
        var seen = new int[names.Length];
        for (var i = 0; i < n; i++)
        {
            var variant = (await client.Deployments.PredictAsync(deployment, new DeploymentPredictRequest(Row: Row))).EnsureValue().Variant;
            seen[Array.IndexOf(names, variant)]++;
        }
        foreach (var key in c.Keys)
        {
            var first = (await client.Deployments.PredictAsync(deployment, new DeploymentPredictRequest(Row: Row, Key: key))).EnsureValue().Variant;
            Assert.Equal(first, (await client.Deployments.PredictAsync(deployment, new DeploymentPredictRequest(Row: Row, Key: key))).EnsureValue().Variant);
            seen[Array.IndexOf(names, first)]++;
        }
        var total = n + c.Keys.Length;
        for (var i = 0; i < names.Length; i++)
        {
            Assert.True(SplitStatistics.Plausible(seen[i], total, c.Weights[i] / 100.0), $"{names[i]} at {c.Weights[i]} % answered {seen[i]} of {total}");
        }
        (await client.Deployments.DeleteAsync(deployment)).EnsureSuccess();
    }

    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static readonly Dictionary<Type, (AstralytiqClient, string)> Shared = [];

    /// <summary>The P20 cases share one tenant and model per database (training one per case would be most of the run).</summary>
    private async Task<(AstralytiqClient Client, string Model)> SharedModelAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            if (!Shared.TryGetValue(typeof(TPlatform), out var found))
            {
                found = await ModelAsync();
                Shared[typeof(TPlatform)] = found;
            }
            return found;
        }
        finally
        {
            SharedGate.Release();
        }
    }
}

public sealed class DeploymentTests_Sqlite(SqlitePlatform platform) : DeploymentTests<SqlitePlatform>(platform);

public sealed class DeploymentTests_Postgres(PostgresPlatform platform) : DeploymentTests<PostgresPlatform>(platform);

/// <summary>P20 at the heart of it: the picker over many draws, for any weights, random and keyed.</summary>
public sealed class VariantPickerProperties
{
    /// <summary>P20: 20,000 random draws and 20,000 random keys split as the weights say (chi-square at 1e-7); a key's variant never changes; 0 % is never picked.</summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(SplitCases)])]
    public void P20_the_picker_splits_draws_and_keys_by_weight_and_a_key_never_moves(SplitCase c, Guid deployment)
    {
        var shares = c.Weights.Select(w => w / 100.0).ToArray();
        var random = new int[c.Weights.Length];
        var keyed = new int[c.Weights.Length];
        for (var i = 0; i < 20_000; i++)
        {
            random[VariantPicker.Pick([.. c.Weights.Select(w => (double)w)], Random.Shared.NextDouble())]++;
            var key = Guid.NewGuid().ToString();
            var picked = VariantPicker.Pick([.. c.Weights.Select(w => (double)w)], VariantPicker.Point(deployment, key));
            keyed[picked]++;
            if (i < 200)
            {
                Assert.Equal(picked, VariantPicker.Pick([.. c.Weights.Select(w => (double)w)], VariantPicker.Point(deployment, key)));
            }
        }
        Assert.True(SplitStatistics.ChiSquareP(random, shares) >= SplitStatistics.Alpha, $"random draws {string.Join("/", random)} against {string.Join("/", c.Weights)}");
        Assert.True(SplitStatistics.ChiSquareP(keyed, shares) >= SplitStatistics.Alpha, $"keys {string.Join("/", keyed)} against {string.Join("/", c.Weights)}");
    }
}

/// <summary>Canary rollouts on the fake-clock hosts: steps on schedule, rolls back by itself when the canary errs, promotes at 100 %.</summary>
[Collection(FakeClock.Collection)]
public abstract class CanaryTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IFakeClockPlatform
{
    private static readonly JsonObject Row = new() { ["rooms"] = 3, ["area"] = 100.0, ["city"] = "Oslo" };
    private static readonly JsonObject BadRow = new() { ["rooms"] = "many", ["area"] = 100.0, ["city"] = "Oslo" };

    private async Task TickAsync() => await Platform.Services.GetRequiredService<CanaryController>().TickAsync(CancellationToken.None);

    private static async Task SendAsync(AstralytiqClient client, string deployment, string variant, JsonObject row, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await client.Deployments.PredictAsync(deployment, new DeploymentPredictRequest(Row: row), variant: variant);
        }
    }

    [Fact]
    public async Task A_canary_steps_on_schedule_rolls_back_when_it_errs_and_is_promoted_at_100_percent()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var data = await MlData.UploadAsync(client, MlData.Houses(120));
        var model = MlData.Unique("price");
        await MlData.TrainAsync(client, new TrainModelRequest(model, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "linear", CvFolds: 2, Seed: 5));
        await MlData.TrainAsync(client, new TrainModelRequest(model, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "fast_tree", CvFolds: 2, Seed: 5));
        var policy = new CanaryPolicyDto("canary", [10, 50, 100], IntervalMinutes: 5, MaxErrorRateIncrease: 0.2, MaxLatencyRatio: 1000, MinRequests: 5);
        var created = (await client.Deployments.CreateAsync(new CreateDeploymentRequest("rollout",
            [new DeploymentVariantDto("stable", model, Version: 1, Weight: 100), new DeploymentVariantDto("canary", model, Version: 2, Weight: 0)], Canary: policy))).EnsureValue();
        Assert.Equal(("running", 0, 10d), (created.Canary!.Status, created.Canary.Step, created.Canary.Weight));
        Assert.Equal([90d, 10d], created.Variants.Select(v => v.Weight));

        // Healthy traffic, but the interval has not passed: it holds; then it steps, as a revision by the platform.
        await SendAsync(client, "rollout", "canary", Row, 6);
        await SendAsync(client, "rollout", "stable", Row, 6);
        await TickAsync();
        Assert.Equal(1, (await client.Deployments.GetAsync("rollout")).EnsureValue().Revision);
        Platform.Clock.Advance(TimeSpan.FromMinutes(6));
        await TickAsync();
        var stepped = (await client.Deployments.GetAsync("rollout")).EnsureValue();
        Assert.Equal((2, 1, 50d), (stepped.Revision, stepped.Canary!.Step, stepped.Canary.Weight));
        Assert.Equal([50d, 50d], stepped.Variants.Select(v => v.Weight));
        var step = (await client.Deployments.RevisionsAsync("rollout")).EnsureValue()[0];
        Assert.Equal(("canary_step", (Guid?)null), (step.Kind, step.ActorId));
        Assert.Contains("6 requests", step.Reason, StringComparison.Ordinal);

        // Too few requests in the new step: after the interval it waits for traffic instead of stepping blind.
        Platform.Clock.Advance(TimeSpan.FromMinutes(6));
        await TickAsync();
        var waiting = (await client.Deployments.GetAsync("rollout")).EnsureValue();
        Assert.Equal((2, "running"), (waiting.Revision, waiting.Canary!.Status));
        Assert.Contains("waiting for traffic", waiting.Canary.Reason, StringComparison.Ordinal);

        // The canary now fails a third of its requests (the stable variant none): rolled back at the next tick, creator told.
        await SendAsync(client, "rollout", "canary", Row, 4);
        await SendAsync(client, "rollout", "canary", BadRow, 2);
        await SendAsync(client, "rollout", "stable", Row, 6);
        await TickAsync();
        var rolled = (await client.Deployments.GetAsync("rollout")).EnsureValue();
        Assert.Equal(("rolled_back", 0d, 100d), (rolled.Canary!.Status, rolled.Canary.Weight, rolled.Variants.Single(v => v.Name == "stable").Weight));
        Assert.Contains("error rate was 33.3", rolled.Canary.Reason, StringComparison.Ordinal);
        Assert.Equal("canary_rolled_back", (await client.Deployments.RevisionsAsync("rollout")).EnsureValue()[0].Kind);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("stable", (await client.Deployments.PredictAsync("rollout", new DeploymentPredictRequest(Row: Row))).EnsureValue().Variant);
        }
        var told = (await client.Notifications.ListAsync()).EnsureValue();
        Assert.Contains(told.Items, n => n.Kind == "deployment.canary_rolled_back" && n.Title.Contains("rollout", StringComparison.Ordinal));
        Assert.Equal(3, rolled.Revision);

        // A new rollout of a healthy canary goes all the way: each step after the interval, then promoted alone at 100 %.
        (await client.Deployments.UpdateAsync("rollout", new UpdateDeploymentRequest(
            [new DeploymentVariantDto("stable", model, Version: 1, Weight: 100), new DeploymentVariantDto("canary", model, Version: 2, Weight: 0)],
            Canary: policy with { Steps = [50, 100] }, Reason: "try again"))).EnsureValue();
        await SendAsync(client, "rollout", "canary", Row, 5);
        await SendAsync(client, "rollout", "stable", Row, 5);
        Platform.Clock.Advance(TimeSpan.FromMinutes(6));
        await TickAsync();
        var promoted = (await client.Deployments.GetAsync("rollout")).EnsureValue();
        Assert.Equal(("promoted", 100d), (promoted.Canary!.Status, promoted.Canary.Weight));
        Assert.Equal([("canary", 100d)], promoted.Variants.Select(v => (v.Name, v.Weight)));
        Assert.Equal(["canary_promoted", "updated", "canary_rolled_back", "canary_step", "created"], (await client.Deployments.RevisionsAsync("rollout")).EnsureValue().Select(r => r.Kind));
    }
}

public sealed class CanaryTests_Sqlite(FakeClockSqlite platform) : CanaryTests<FakeClockSqlite>(platform);

public sealed class CanaryTests_Postgres(FakeClockPostgres platform) : CanaryTests<FakeClockPostgres>(platform);
