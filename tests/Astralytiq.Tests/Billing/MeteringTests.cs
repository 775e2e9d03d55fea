using System.Globalization;
using System.Net;
using System.Text;
using Astralytiq.Contracts.Usage;
using Astralytiq.Platform.Quotas;
using Astralytiq.Tenancy.Contracts;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace Astralytiq.Tests.Billing;

/// <summary>Plans configured on every shared test host whose metered limits a test reaches in a few requests.</summary>
internal static class MeteredPlan
{
    public const string Name = "metered";
    public const long ApiCalls = 60;
    public const long ModelsTrained = 5;
    public const long Predictions = 40;

    /// <summary>A plan with few models and predictions a month (and no limit on API calls, which training's polls would reach).</summary>
    public const string MlName = "metered_ml";
    public const long MlModels = 2;
    public const long MlPredictions = 40;

    /// <summary>A plan that only sizes the rate limit: this many requests a minute for the organisation.</summary>
    public const string ThrottledName = "throttled";
    public const long PerMinute = 25;
}

/// <summary>One generated usage event of P28/P30: which monthly metric, how much, who, and how often it is sent (retries) and whether the first send is cut off.</summary>
public sealed record MeterCase(int Metric, int Amount, int Subject, int Sends, bool CutOff);

public static class MeterCases
{
    public static readonly string[] Metrics = [QuotaMetrics.RowsIngested, QuotaMetrics.ModelsTrained, QuotaMetrics.TrainingSeconds, QuotaMetrics.Predictions, QuotaMetrics.ReportsSent];

    public static Arbitrary<MeterCase[]> Events() =>
        (from metric in Gen.Choose(0, Metrics.Length - 1)
         from amount in Gen.Choose(1, 5_000)
         from subject in Gen.Choose(0, 3)
         from sends in Gen.Choose(1, 3)
         from cut in Gen.Elements(false, false, true)
         select new MeterCase(metric, amount, subject, sends, cut)).ArrayOf().Select(a => a.Take(16).ToArray()).ToArbitrary();
}

public abstract class MeteringTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    /// <summary>The host's clock (the platform dates usage by it; the shared host runs on the system's time).</summary>
    private DateTimeOffset Now() => Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    private DateOnly Today() => DateOnly.FromDateTime(Now().UtcDateTime);

    private async Task<Guid> NewTenantAsync(string plan)
    {
        await using var setup = Platform.Services.CreateAsyncScope();
        var tenantId = (await setup.ServiceProvider.GetRequiredService<ITenantProvisioner>().ProvisionAsync("Meter " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None)).TenantId;
        if (plan != "free")
        {
            var moved = await setup.ServiceProvider.GetRequiredService<ITenantPlans>().MoveAsync(tenantId, plan, null, CancellationToken.None);
            Assert.True(moved.IsSuccess, moved.Error?.Message);
        }
        return tenantId;
    }

    private async Task<T> InTenantAsync<T>(Guid tenantId, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
        return await work(scope.ServiceProvider);
    }

    /// <summary>
    /// P28: every usage event counts exactly once — sent again (a retry), sent at the same moment (concurrency), or cut off
    /// mid-write and sent again (a process that died mid-request) — and P30: usage analytics grouped by meter, day or user
    /// equal the sum of the events, and agree with the plan counters.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(MeterCases)])]
    public async Task P28_P30_each_event_counts_once_and_analytics_equal_the_events(MeterCase[] events)
    {
        var tenantId = await NewTenantAsync("free");
        var subjects = Enumerable.Range(0, 4).Select(i => i == 0 ? null : Guid.NewGuid().ToString("N")).ToArray();
        var sends = new List<Task>();
        foreach (var (e, i) in events.Select((e, i) => (e, i)))
        {
            var usage = new UsageEvent(MeterCases.Metrics[e.Metric], e.Amount, "case:" + i, subjects[e.Subject], Enforce: false);
            if (e.CutOff)
            {
                // The first write is cancelled part-way (a token cancelled at once, or after a moment): whatever it managed is
                // rolled back or kept whole, and the retry below makes the total exact.
                sends.Add(Task.Run(async () =>
                {
                    using var cut = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 3));
                    try
                    {
                        await InTenantAsync(tenantId, sp => sp.GetRequiredService<IQuotas>().RecordAsync(usage, cut.Token));
                    }
                    catch (OperationCanceledException)
                    {
                        // Cut off, as a killed request is: the retry that follows must still count it exactly once.
                    }
                    Assert.True((await InTenantAsync(tenantId, sp => sp.GetRequiredService<IQuotas>().RecordAsync(usage, CancellationToken.None))).IsSuccess);
                }));
            }
            for (var s = 0; s < e.Sends; s++)
            {
                sends.Add(Task.Run(async () => Assert.True((await InTenantAsync(tenantId, sp => sp.GetRequiredService<IQuotas>().RecordAsync(usage, CancellationToken.None))).IsSuccess)));
            }
        }
        await Task.WhenAll(sends);

        var today = Today();
        var expected = events.GroupBy(e => MeterCases.Metrics[e.Metric]).ToDictionary(g => g.Key, g => g.Sum(e => (long)e.Amount));
        await InTenantAsync(tenantId, async sp =>
        {
            var quotas = sp.GetRequiredService<IQuotas>();
            foreach (var metric in MeterCases.Metrics)
            {
                Assert.Equal(expected.GetValueOrDefault(metric), (await quotas.UsageAsync(metric, CancellationToken.None)).Used);
            }
            var analytics = sp.GetRequiredService<UsageAnalytics>();
            var from = today.AddDays(-1);
            var byMeter = await analytics.BreakdownAsync(from, today, "meter", null, CancellationToken.None);
            var byDay = await analytics.BreakdownAsync(from, today, "day", null, CancellationToken.None);
            var byUser = await analytics.BreakdownAsync(from, today, "user", null, CancellationToken.None);
            foreach (var meter in MeterCatalog.All.Where(m => MeterCases.Metrics.Contains(m.Metric)))
            {
                var mine = events.Where(e => MeterCases.Metrics[e.Metric] == meter.Metric).ToList();
                long oracle = meter.Aggregation switch
                {
                    MeterAggregation.Sum => mine.Sum(e => (long)e.Amount),
                    MeterAggregation.Count => mine.Count,
                    MeterAggregation.Max => mine.Count == 0 ? 0 : mine.Max(e => e.Amount),
                    MeterAggregation.UniqueCount => mine.Where(e => e.Subject != 0).Select(e => e.Subject).Distinct().Count(),
                    _ => -1,
                };
                var total = byMeter.Groups.Single(g => g.Meter == meter.Name);
                Assert.Equal(mine.Count, total.Events);
                if (meter.Aggregation == MeterAggregation.Latest)
                {
                    // The latest is one of the events' amounts (events written at the same instant may come in any order).
                    Assert.True(mine.Count == 0 ? total.Value == 0 : mine.Any(e => e.Amount == total.Value), $"{meter.Name} {total.Value}");
                    continue;
                }
                Assert.Equal(oracle, total.Value);
                if (meter.Aggregation is MeterAggregation.Sum or MeterAggregation.Count)
                {
                    // Additive meters: the day and user groups add up to the total.
                    Assert.Equal(oracle, byDay.Groups.Where(g => g.Meter == meter.Name).Sum(g => g.Value));
                    Assert.Equal(oracle, byUser.Groups.Where(g => g.Meter == meter.Name).Sum(g => g.Value));
                    foreach (var (subject, index) in subjects.Select((s, i) => (s, i)))
                    {
                        var theirs = mine.Where(e => e.Subject == index).ToList();
                        var group = byUser.Groups.SingleOrDefault(g => g.Meter == meter.Name && g.Key == subject);
                        Assert.Equal(meter.Aggregation == MeterAggregation.Sum ? theirs.Sum(e => (long)e.Amount) : theirs.Count, group?.Value ?? 0);
                    }
                }
            }
            return true;
        });
    }

    /// <summary>P28 for the hot meter: API calls counted in memory under concurrency are written once each, and a write retried after a failure counts once.</summary>
    [Fact]
    public async Task P28_api_calls_are_counted_exactly_under_concurrency_and_written_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var writer = Platform.Services.GetRequiredService<HotMeterWriter>();
        await writer.FlushAsync(CancellationToken.None);
        var before = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == QuotaMetrics.ApiCalls).Used;
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => tenant.Admin.Datasets.ListAsync()));
        Assert.All(results, r => r.EnsureSuccess());
        // Read before the write (this node's unwritten count is part of the use) and after it: the same, each time counting the read itself.
        var live = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == QuotaMetrics.ApiCalls).Used;
        Assert.Equal(before + 40 + 1, live);
        await writer.FlushAsync(CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        var period = QuotaService.PeriodOf(Now());
        var written = await InTenantAsync(tenant.Id, sp => sp.GetRequiredService<QuotaService>().StoredAsync(QuotaMetrics.ApiCalls, period, CancellationToken.None));
        Assert.Equal(live, written);

        // A batch written again (the first write's answer lost) counts once: its keys are the same.
        var hot = Platform.Services.GetRequiredService<HotMeter>();
        hot.Add(tenant.Id, QuotaMetrics.ApiCalls, period, tenant.AdminUser.Id, 7);
        foreach (var batch in hot.Take())
        {
            await writer.WriteAsync(batch, CancellationToken.None);
            foreach (var cell in batch.Cells.Keys.Where(c => c.Tenant == tenant.Id))
            {
                await InTenantAsync(tenant.Id, sp => sp.GetRequiredService<QuotaService>().WriteAsync(
                    new UsageEvent(cell.Metric, batch.Cells[cell], hot.Key(batch, cell), cell.Subject, Enforce: false), cell.Subject, batch.At, CancellationToken.None));
            }
        }
        Assert.Equal(0, hot.Unwritten(tenant.Id, QuotaMetrics.ApiCalls, period));
        var after = await InTenantAsync(tenant.Id, sp => sp.GetRequiredService<QuotaService>().StoredAsync(QuotaMetrics.ApiCalls, QuotaService.PeriodOf(Now()), CancellationToken.None));
        Assert.Equal(written + 7, after);
    }

    /// <summary>
    /// P29: 100 requests racing at the edge of the plan's API calls a month: exactly the rest of the limit is served, every
    /// other gets 402 QUOTA_EXCEEDED with the limit, the use and the reset; the Admin is warned at 80 % and at 100 %, once each.
    /// </summary>
    [Fact]
    public async Task P29_racing_requests_never_pass_the_limit_and_admins_are_warned_once_at_80_and_100_percent()
    {
        var tenant = await Platform.NewTenantOnPlanAsync(MeteredPlan.Name);
        var usage = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue();
        var used = usage.Items.Single(i => i.Metric == QuotaMetrics.ApiCalls).Used;
        Assert.Equal(MeteredPlan.ApiCalls, usage.Items.Single(i => i.Metric == QuotaMetrics.ApiCalls).Limit);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => tenant.Admin.Datasets.ListAsync()));
        var served = results.Count(r => r.Status == HttpStatusCode.OK);
        Assert.Equal(MeteredPlan.ApiCalls - used, served);
        var refused = results.Where(r => r.Status != HttpStatusCode.OK).ToList();
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, r.Status);
            Assert.Equal("QUOTA_EXCEEDED", r.Error!.Error.Code);
            Assert.Equal("api_calls", r.Error.Error.Details![0].Field);
            Assert.Contains($"limit {MeteredPlan.ApiCalls}", r.Error.Error.Details[0].Message, StringComparison.Ordinal);
            Assert.Contains("resets " + QuotaService.NextPeriod(Now()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Error.Error.Details[0].Message, StringComparison.Ordinal);
        });
        Assert.StartsWith($"The {MeteredPlan.Name} plan allows {MeteredPlan.ApiCalls} API calls a month; {MeteredPlan.ApiCalls} are used", refused[0].Error!.Error.Message, StringComparison.Ordinal);

        // The use stays at the limit, and the plan and usage pages stay open so the Admin can upgrade.
        var after = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Equal(MeteredPlan.ApiCalls, after.Items.Single(i => i.Metric == QuotaMetrics.ApiCalls).Used);
        (await tenant.Admin.Tenant.GetPlansAsync()).EnsureSuccess();
        await Platform.Services.GetRequiredService<HotMeterWriter>().FlushAsync(CancellationToken.None);
        Assert.Equal(MeteredPlan.ApiCalls, (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == QuotaMetrics.ApiCalls).Used);

        // Warned once at each level, in the app and by email.
        await Eventually.TrueAsync(async () =>
        {
            var inbox = (await tenant.Admin.Notifications.ListAsync(limit: 100)).EnsureValue().Items;
            return inbox.Any(n => n.Kind == "usage.limit_reached") && inbox.Any(n => n.Kind == "usage.warning");
        }, TimeSpan.FromSeconds(20), "the usage warnings reach the Admin's inbox");
        var warnings = (await tenant.Admin.Notifications.ListAsync(limit: 100)).EnsureValue().Items;
        Assert.Single(warnings, n => n.Kind == "usage.warning");
        var full = Assert.Single(warnings, n => n.Kind == "usage.limit_reached");
        Assert.Equal("Plan limit reached: API calls", full.Title);
        Assert.Matches(@"^\d+ % of the plan's API calls used$", Assert.Single(warnings, n => n.Kind == "usage.warning").Title);
        Assert.Contains($"{MeteredPlan.ApiCalls} API calls a month", full.Body, StringComparison.Ordinal);
        var mail = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("Plan limit reached", StringComparison.Ordinal) == true);
        Assert.Contains("/billing", mail.TextBody, StringComparison.Ordinal);
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
        var rows = await scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Persistence.PlatformDbContext>().Set<UsageWarning>()
            .Where(w => w.Metric == QuotaMetrics.ApiCalls).Select(w => w.Percent).ToListAsync(CancellationToken.None);
        Assert.Equal([80, 100], rows.Order());
    }

    /// <summary>P29 over generated races: models trained a month never pass the limit, and each warning level is recorded at most once (exactly once when crossed).</summary>
    [Property(MaxTest = 100)]
    public async Task P29_racing_uses_never_pass_the_limit_and_warn_once_per_level(PositiveInt[] amounts)
    {
        var tenantId = await NewTenantAsync(MeteredPlan.Name);
        var uses = amounts.Take(20).Select((a, i) => (Amount: (long)(a.Get % 3) + 1, Key: "m" + i)).ToList();
        var results = await Task.WhenAll(uses.Select(use => Task.Run(() => InTenantAsync(tenantId, sp =>
            sp.GetRequiredService<IQuotas>().ConsumeAsync(QuotaMetrics.ModelsTrained, use.Amount, use.Key, CancellationToken.None)))));
        var used = uses.Zip(results).Where(p => p.Second.IsSuccess).Sum(p => p.First.Amount);
        Assert.True(used <= MeteredPlan.ModelsTrained, $"used {used} > limit");
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("QUOTA_EXCEEDED", r.Error!.Code));
        var levels = await InTenantAsync(tenantId, sp => sp.GetRequiredService<Astralytiq.Platform.Persistence.PlatformDbContext>().Set<UsageWarning>()
            .Where(w => w.Metric == QuotaMetrics.ModelsTrained).Select(w => w.Percent).ToListAsync(CancellationToken.None));
        Assert.Equal(levels.Count, levels.Distinct().Count());
        Assert.Equal(used >= UsageWarning.Threshold(MeteredPlan.ModelsTrained, 80), levels.Contains(80));
        // 100 % is warned when it was reached, or when a use was refused at the limit.
        Assert.Equal(used >= MeteredPlan.ModelsTrained || results.Any(r => !r.IsSuccess), levels.Contains(100));
        // Nothing was refused that would have fitted once everything else was counted.
        Assert.All(uses.Zip(results).Where(p => !p.Second.IsSuccess), p => Assert.True(used + p.First.Amount > MeteredPlan.ModelsTrained));
    }

    /// <summary>P13 extended: the organisation's rate limit is its plan's requests a minute; past it, 429 naming the plan's rate, with Retry-After.</summary>
    [Fact]
    public async Task P13_the_rate_limit_is_sized_by_the_plan()
    {
        var tenant = await Platform.NewTenantOnPlanAsync(MeteredPlan.ThrottledName);
        var results = new List<Astralytiq.Contracts.Client.ApiResponse<Astralytiq.Contracts.Identity.Page<Astralytiq.Contracts.Data.DatasetResponse>>>();
        for (var i = 0; i < MeteredPlan.PerMinute + 5; i++)
        {
            results.Add(await tenant.Admin.Datasets.ListAsync());
        }
        // The plan change made a partition of the new size: its window starts with the first request after it.
        var served = results.TakeWhile(r => r.Status == HttpStatusCode.OK).Count();
        Assert.Equal((int)MeteredPlan.PerMinute, served);
        var limited = results[served];
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("RATE_LIMITED", limited.Error!.Error.Code);
        Assert.Contains($"the plan allows {MeteredPlan.PerMinute} requests a minute", limited.Error.Error.Message, StringComparison.Ordinal);
        Assert.All(results.Skip(served), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.Status));
        // Another organisation on the free plan is not held back.
        var other = await Platform.NewTenantAsync();
        (await other.Admin.Datasets.ListAsync()).EnsureSuccess();
    }

    /// <summary>Models trained and predictions are metered where they happen and refused at the plan's limit before any work; a prediction that fails is given back.</summary>
    [Fact]
    public async Task Models_trained_and_predictions_are_metered_and_refused_at_the_limit()
    {
        var tenant = await Platform.NewTenantOnPlanAsync(MeteredPlan.MlName);
        var client = tenant.Admin;
        async Task<long> Used(string metric) => (await client.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == metric).Used;
        var data = await ML.MlData.UploadAsync(client, ML.MlData.Houses(60));
        var name = ML.MlData.Unique("metered");
        var request = new Astralytiq.Contracts.ML.TrainModelRequest(name, data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: "linear", Seed: 1);
        await ML.MlData.TrainAsync(client, request);
        Assert.Equal(1, await Used(QuotaMetrics.ModelsTrained));
        Assert.True(await Used(QuotaMetrics.TrainingSeconds) >= 1);
        await ML.MlData.TrainAsync(client, request);
        Assert.Equal(MeteredPlan.MlModels, await Used(QuotaMetrics.ModelsTrained));
        var third = await client.Models.TrainAsync(request);
        Assert.Equal(HttpStatusCode.PaymentRequired, third.Status);
        Assert.Equal("models_trained", third.Error!.Error.Details![0].Field);
        Assert.StartsWith($"The {MeteredPlan.MlName} plan allows {MeteredPlan.MlModels} models trained a month", third.Error.Error.Message, StringComparison.Ordinal);
        var versions = (await client.Models.ListVersionsAsync(name)).EnsureValue();
        Assert.Equal(2, versions.Count);

        System.Text.Json.Nodes.JsonObject Row(int rooms) => new() { ["rooms"] = rooms, ["area"] = 80.5, ["city"] = "Oslo" };
        // A batch that does not score (a wrong type) is refused and counts nothing.
        var bad = await client.Models.PredictAsync(name, new Astralytiq.Contracts.ML.PredictRequest(Rows: [new System.Text.Json.Nodes.JsonObject { ["rooms"] = "many", ["area"] = 1, ["city"] = "Oslo" }]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(0, await Used(QuotaMetrics.Predictions));
        (await client.Models.PredictAsync(name, new Astralytiq.Contracts.ML.PredictRequest(Rows: [.. Enumerable.Range(0, 30).Select(i => Row((i % 5) + 1))]))).EnsureSuccess();
        var over = await client.Models.PredictAsync(name, new Astralytiq.Contracts.ML.PredictRequest(Rows: [.. Enumerable.Range(0, 11).Select(i => Row(2))]));
        Assert.Equal(HttpStatusCode.PaymentRequired, over.Status);
        Assert.Equal("predictions", over.Error!.Error.Details![0].Field);
        (await client.Models.PredictAsync(name, new Astralytiq.Contracts.ML.PredictRequest(Rows: [.. Enumerable.Range(0, 10).Select(i => Row(3))]))).EnsureSuccess();
        Assert.Equal(MeteredPlan.MlPredictions, await Used(QuotaMetrics.Predictions));
        await Platform.Services.GetRequiredService<HotMeterWriter>().FlushAsync(CancellationToken.None);
        Assert.Equal(MeteredPlan.MlPredictions, await Used(QuotaMetrics.Predictions));
        var today = Today();
        var byUser = (await client.Tenant.GetUsageAsync(today, today, "user", "predictions,models_trained")).EnsureValue().Breakdown!;
        Assert.Equal(MeteredPlan.MlPredictions, byUser.Groups.Single(g => g.Meter == "predictions" && g.Key == tenant.AdminUser.Id.ToString("N")).Value);
        Assert.Equal(MeteredPlan.MlModels, byUser.Groups.Where(g => g.Meter == "models_trained").Sum(g => g.Value));
    }

    /// <summary>
    /// The gap between the ledger and a module's rows: usage recorded for a version whose row was never committed (the
    /// process died between the two writes) is given back by the reconciler once it is older than the grace; usage of
    /// committed versions (deleted datasets' too) is confirmed and stays.
    /// </summary>
    [Fact]
    public async Task The_reconciler_gives_back_usage_of_rows_never_committed_and_keeps_the_rest()
    {
        var tenant = await Platform.NewTenantAsync();
        var kept = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("n\n1\n2\n")), "kept.csv", name: "kept " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        var gone = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("n\n1\n")), "gone.csv", name: "gone " + Guid.NewGuid().ToString("N")[..6])).EnsureValue();
        (await tenant.Admin.Datasets.DeleteAsync(gone.Id)).EnsureSuccess();
        async Task<long> Used(string metric) => await InTenantAsync(tenant.Id, async sp => (await sp.GetRequiredService<IQuotas>().UsageAsync(metric, CancellationToken.None)).Used);
        var rows = await Used(QuotaMetrics.RowsIngested);
        var storage = await Used(QuotaMetrics.StorageBytes);
        var datasets = await Used(QuotaMetrics.Datasets);
        Assert.Equal(3, rows);

        // A version and a new dataset that were counted and never written: what a crash between the two writes leaves.
        var orphanVersion = "dataset-version:" + Guid.NewGuid().ToString("N");
        var orphanDataset = "dataset:" + Guid.NewGuid().ToString("N");
        await InTenantAsync(tenant.Id, async sp =>
        {
            var quotas = sp.GetRequiredService<IQuotas>();
            Assert.True((await quotas.ConsumeAsync(QuotaMetrics.StorageBytes, 1234, orphanVersion, CancellationToken.None)).IsSuccess);
            Assert.True((await quotas.ConsumeAsync(QuotaMetrics.RowsIngested, 50, orphanVersion, CancellationToken.None)).IsSuccess);
            Assert.True((await quotas.ConsumeAsync(QuotaMetrics.Datasets, 1, orphanDataset, CancellationToken.None)).IsSuccess);
            return true;
        });
        Assert.Equal(rows + 50, await Used(QuotaMetrics.RowsIngested));

        var reconciler = Platform.Services.GetRequiredService<UsageReconciler>();
        // Within the grace nothing is touched: the module may be about to commit.
        await reconciler.ReconcileAsync(Now(), CancellationToken.None);
        Assert.Equal(rows + 50, await Used(QuotaMetrics.RowsIngested));
        // Past it, the orphans are given back (other tenants' rows may be reconciled in the same round).
        var (_, released) = await reconciler.ReconcileAsync(Now().AddHours(1), CancellationToken.None);
        Assert.True(released >= 3, $"released {released}");
        Assert.Equal(rows, await Used(QuotaMetrics.RowsIngested));
        Assert.Equal(storage, await Used(QuotaMetrics.StorageBytes));
        Assert.Equal(datasets, await Used(QuotaMetrics.Datasets));
        // The committed versions' usage is confirmed and stays, the deleted dataset's rows included; a second round changes nothing.
        var confirmed = await InTenantAsync(tenant.Id, sp => sp.GetRequiredService<Astralytiq.Platform.Persistence.PlatformDbContext>().Set<UsageRecord>()
            .Where(r => r.Metric == QuotaMetrics.RowsIngested).Select(r => new { r.Key, r.ConfirmedAt }).ToListAsync(CancellationToken.None));
        Assert.Equal(2, confirmed.Count);
        Assert.All(confirmed, r => Assert.NotNull(r.ConfirmedAt));
        await reconciler.ReconcileAsync(Now().AddHours(2), CancellationToken.None);
        Assert.Equal(rows, await Used(QuotaMetrics.RowsIngested));
        Assert.Single((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items, d => d.Id == kept.Id);
    }

    [Fact]
    public async Task The_operator_sees_a_tenants_use_as_its_admins_do()
    {
        var tenant = await Platform.NewTenantAsync();
        (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("n\n1\n2\n3\n4\n")), "n.csv", name: "four")).EnsureSuccess();
        var ops = await Platform.NewOperatorAsync();
        var seen = (await ops.Operator.GetTenantUsageAsync(tenant.Id, "meter")).EnsureValue();
        var own = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Equal(own.Plan, seen.Plan);
        Assert.Equal(4, seen.Items.Single(i => i.Metric == QuotaMetrics.RowsIngested).Used);
        Assert.Equal(own.Items.Single(i => i.Metric == QuotaMetrics.StorageBytes).Used, seen.Items.Single(i => i.Metric == QuotaMetrics.StorageBytes).Used);
        Assert.Equal(4, seen.Breakdown!.Groups.Single(g => g.Meter == "rows_ingested").Value);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Operator.GetTenantUsageAsync(Guid.NewGuid())).Status);
        // Only the operator: a tenant's Admin cannot read another tenant's use (nor its own through this door).
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Admin.Operator.GetTenantUsageAsync(tenant.Id)).Status);
    }

    [Fact]
    public async Task Usage_analytics_group_by_meter_day_and_user_and_export_csv_and_refuse_bad_input()
    {
        var tenant = await Platform.NewTenantAsync();
        var csv = new MemoryStream(Encoding.UTF8.GetBytes("n\n1\n2\n3\n"));
        (await tenant.Admin.Datasets.UploadAsync(csv, "n.csv", name: "three rows")).EnsureSuccess();
        await Platform.Services.GetRequiredService<HotMeterWriter>().FlushAsync(CancellationToken.None);
        var today = Today();

        var byMeter = (await tenant.Admin.Tenant.GetUsageAsync(today.AddDays(-2), today, "meter")).EnsureValue().Breakdown!;
        Assert.Equal(3, byMeter.Groups.Single(g => g.Meter == "rows_ingested").Value);
        Assert.Equal(1, byMeter.Groups.Single(g => g.Meter == "ingests").Value);
        Assert.Equal(3, byMeter.Groups.Single(g => g.Meter == "latest_ingest_rows").Value);
        Assert.True(byMeter.Groups.Single(g => g.Meter == "api_calls").Value >= 1);
        Assert.Equal(1, byMeter.Groups.Single(g => g.Meter == "active_users").Value);
        Assert.Equal("unique_count", byMeter.Meters.Single(m => m.Name == "active_users").Aggregation);

        var byDay = (await tenant.Admin.Tenant.GetUsageAsync(today.AddDays(-2), today, "day", "rows_ingested")).EnsureValue().Breakdown!;
        var day = Assert.Single(byDay.Groups);
        Assert.Equal((today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 3L), (day.Key, day.Value));
        var byUser = (await tenant.Admin.Tenant.GetUsageAsync(null, null, "user", "rows_ingested")).EnsureValue().Breakdown!;
        Assert.Equal(tenant.AdminUser.Id.ToString("N"), Assert.Single(byUser.Groups).Key);

        var file = (await tenant.Admin.Tenant.ExportUsageAsync(today, today, "day", "rows_ingested,ingests")).EnsureValue();
        var lines = Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("meter,day,value,events", lines[0]);
        Assert.Contains($"rows_ingested,{today:yyyy-MM-dd},3,1", lines);
        Assert.Contains($"ingests,{today:yyyy-MM-dd},1,1", lines);

        // The current period's items: every limitable metric, with the reset of monthly counters.
        var usage = (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Null(usage.Breakdown);
        Assert.Equal(QuotaMetrics.Limitable.Count, usage.Items.Count);
        Assert.Equal(QuotaService.NextPeriod(Now()), usage.Items.Single(i => i.Metric == "predictions").ResetsAt);

        foreach (var (query, field) in new[]
        {
            ("group_by=week", "group_by"), ("group_by=day&from=12/01/2026", "from"), ("group_by=day&from=2026-12-05&to=2026-12-01", "from"),
            ("group_by=day&from=2020-01-01&to=2026-01-01", "to"), ("group_by=meter&meter=nope", "meter"), ("format=xml", "format"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/usage?" + query);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.Admin.AccessToken);
            using var response = await tenant.Admin.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains($"\"field\":\"{field}\"", body, StringComparison.Ordinal);
        }
    }
}

public sealed class MeteringTests_Sqlite(SqlitePlatform platform) : MeteringTests<SqlitePlatform>(platform);

public sealed class MeteringTests_Postgres(PostgresPlatform platform) : MeteringTests<PostgresPlatform>(platform);
