using System.Globalization;
using System.Net;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Data;
using Astralytiq.Platform.Quotas;
using Astralytiq.Tenancy.Contracts;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Platform;

/// <summary>An operator-defined plan with small limits (configured on every shared test host), so tests reach them with small files.</summary>
internal static class SmallPlan
{
    public const string Name = "small";
    public const long UploadBytes = 60_000;
    public const long Datasets = 3;
    public const long RowsIngested = 1_000;

}

public abstract class QuotaTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static MemoryStream Csv(int rows) => new(Encoding.UTF8.GetBytes("n\n" + string.Concat(Enumerable.Range(1, rows).Select(i => i + "\n"))));

    private static Task<ApiResponse<DatasetResponse>> UploadAsync(AstralytiqClient client, int rows) =>
        client.Datasets.UploadAsync(Csv(rows), "n.csv", name: "q " + Guid.NewGuid().ToString("N")[..8]);

    private static async Task<long> UsedAsync(AstralytiqClient client, string metric) =>
        (await client.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == metric).Used;

    [Fact]
    public async Task Plan_limits_refuse_before_work_and_usage_is_counted_exactly_and_given_back_on_delete()
    {
        var client = (await Platform.NewTenantOnPlanAsync(SmallPlan.Name)).Admin;

        // Over the per-file cap: 413, refused on the declared size.
        var big = await client.Datasets.UploadAsync(new MemoryStream(new byte[SmallPlan.UploadBytes + 1]), "big.csv");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.Status);
        Assert.Contains("small plan accepts files up to", big.Error!.Error.Message, StringComparison.Ordinal);

        // Rows ingested: uploads and appends count, exactly.
        var first = (await UploadAsync(client, 400)).EnsureValue();
        (await client.Datasets.AppendRowsAsync(first.Id, "{\"n\":1}\n{\"n\":2}")).EnsureSuccess();
        Assert.Equal(402L, await UsedAsync(client, QuotaMetrics.RowsIngested));
        var refused = await UploadAsync(client, 700);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.Status);
        Assert.Equal("QUOTA_EXCEEDED", refused.Error!.Error.Code);
        Assert.Equal("rows_ingested", refused.Error.Error.Details![0].Field);
        // Said as a person says it, with the numbers grouped.
        Assert.Equal($"The {SmallPlan.Name} plan allows {SmallPlan.RowsIngested.ToString("N0", CultureInfo.InvariantCulture)} rows ingested a month; 402 are used and this needs 700 more. Upgrade the plan, or wait until the count starts again on {QuotaService.NextPeriod(Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow()).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.",
            refused.Error.Error.Message);
        Assert.Equal(402L, await UsedAsync(client, QuotaMetrics.RowsIngested));
        Assert.Single((await client.Datasets.ListAsync()).EnsureValue().Items);

        // Transforms store bytes but ingest nothing.
        var derived = (await client.Datasets.ApplyTransformAsync(first.Id, new TransformRequest([new TransformStepDto("limit", Rows: 10)], OutputName: "derived " + Guid.NewGuid().ToString("N")[..6]))).EnsureValue();
        Assert.Equal(402L, await UsedAsync(client, QuotaMetrics.RowsIngested));

        // Storage is the sum of the stored files, to the byte; datasets are counted.
        var versions = (await client.Datasets.ListVersionsAsync(first.Id)).EnsureValue().Concat((await client.Datasets.ListVersionsAsync(derived.DatasetId!.Value)).EnsureValue());
        Assert.Equal(versions.Sum(v => v.StoredBytes), await UsedAsync(client, QuotaMetrics.StorageBytes));
        Assert.Equal(2L, await UsedAsync(client, QuotaMetrics.Datasets));
        (await UploadAsync(client, 1)).EnsureSuccess();
        var fourth = await UploadAsync(client, 1);
        Assert.Equal(HttpStatusCode.PaymentRequired, fourth.Status);
        Assert.Equal("datasets", fourth.Error!.Error.Details![0].Field);
        Assert.StartsWith($"The {SmallPlan.Name} plan allows {SmallPlan.Datasets} datasets; {SmallPlan.Datasets} are used and this needs 1 more.", fourth.Error.Error.Message, StringComparison.Ordinal);

        // A deleted dataset gives back its storage and its place (rows ingested this month stay counted).
        (await client.Datasets.DeleteAsync(derived.DatasetId.Value)).EnsureSuccess();
        Assert.Equal(2L, await UsedAsync(client, QuotaMetrics.Datasets));
        (await UploadAsync(client, 1)).EnsureSuccess();
        var usage = (await client.Tenant.GetUsageAsync()).EnsureValue();
        Assert.Equal(SmallPlan.Name, usage.Plan);
        Assert.Equal((3L, SmallPlan.Datasets), (usage.Items.Single(i => i.Metric == "datasets").Used, usage.Items.Single(i => i.Metric == "datasets").Limit));
        Assert.Equal(404L, usage.Items.Single(i => i.Metric == "rows_ingested").Used);
        Assert.Matches(@"^\d{4}-\d{2}$", usage.Items.Single(i => i.Metric == "rows_ingested").Period);
        // Bytes received are metered too: every uploaded file and appended batch, to the byte.
        var received = Csv(400).Length + "{\"n\":1}\n{\"n\":2}".Length + (2 * Csv(1).Length);
        Assert.Equal(received, usage.Items.Single(i => i.Metric == "bytes_ingested").Used);
        Assert.Null(usage.Items.Single(i => i.Metric == "bytes_ingested").Limit);

        // This month's rows used up: the next ingest is refused before any work, and changes nothing.
        var batch = string.Join("\n", Enumerable.Range(0, 596).Select(i => $"{{\"n\":{i}}}"));
        (await client.Datasets.AppendRowsAsync(first.Id, batch)).EnsureSuccess();
        Assert.Equal(SmallPlan.RowsIngested, await UsedAsync(client, QuotaMetrics.RowsIngested));
        var versionCount = (await client.Datasets.ListVersionsAsync(first.Id)).EnsureValue().Count;
        var exhausted = await client.Datasets.AppendRowsAsync(first.Id, "{\"n\":7}");
        Assert.Equal(HttpStatusCode.PaymentRequired, exhausted.Status);
        Assert.Equal("rows_ingested", exhausted.Error!.Error.Details![0].Field);
        Assert.Equal(versionCount, (await client.Datasets.ListVersionsAsync(first.Id)).EnsureValue().Count);
    }

    /// <summary>Every limited metric of the test host's small plans, with its plan and limit: P11 picks one per case.</summary>
    private static readonly (string Plan, string Metric, long Limit)[] Limited =
    [
        (SmallPlan.Name, QuotaMetrics.RowsIngested, SmallPlan.RowsIngested),
        (SmallPlan.Name, QuotaMetrics.Datasets, SmallPlan.Datasets),
        (Billing.MeteredPlan.Name, QuotaMetrics.ModelsTrained, Billing.MeteredPlan.ModelsTrained),
        (Billing.MeteredPlan.Name, QuotaMetrics.Predictions, Billing.MeteredPlan.Predictions),
        (Billing.MeteredPlan.Name, QuotaMetrics.ApiCalls, Billing.MeteredPlan.ApiCalls),
    ];

    /// <summary>P11, for every limited metric: concurrent uses at the edge never push a counter past its limit, and a key counts once however often it is sent.</summary>
    [Property(MaxTest = 100)]
    public async Task P11_concurrent_uses_never_pass_the_limit_and_each_key_counts_once(PositiveInt[] amounts, byte repeats, byte which)
    {
        var (plan, metric, limit) = Limited[which % Limited.Length];
        // A tenant of its own per case, on the plan that limits the metric.
        Guid tenantId;
        await using (var setup = Platform.Services.CreateAsyncScope())
        {
            tenantId = (await setup.ServiceProvider.GetRequiredService<ITenantProvisioner>().ProvisionAsync("P11 " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None)).TenantId;
            var moved = await setup.ServiceProvider.GetRequiredService<ITenantPlans>().MoveAsync(tenantId, plan, null, CancellationToken.None);
            Assert.True(moved.IsSuccess, moved.Error?.Message);
        }
        // Amounts sized to the limit, so the edge is reached in a dozen uses.
        var uses = amounts.Take(12).Select((a, i) => (Amount: (a.Get % Math.Max(1, (limit * 2 / 5) + 1)) + 1, Key: "k" + i)).ToList();
        // Some uses are sent twice (a retry): they must count once.
        var sent = uses.Concat(uses.Take(repeats % 4)).ToList();
        var results = await Task.WhenAll(sent.Select(async use =>
        {
            await using var scope = Platform.Services.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
            var result = await scope.ServiceProvider.GetRequiredService<IQuotas>().ConsumeAsync(metric, use.Amount, use.Key, CancellationToken.None);
            return (use.Key, use.Amount, result.IsSuccess, Code: result.Error?.Code);
        }));

        await using var check = Platform.Services.CreateAsyncScope();
        using var __ = check.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
        var usage = await check.ServiceProvider.GetRequiredService<IQuotas>().UsageAsync(metric, CancellationToken.None);
        Assert.Equal(limit, usage.Limit);
        var accepted = results.Where(r => r.IsSuccess).DistinctBy(r => r.Key).ToList();
        Assert.True(usage.Used <= limit, $"{metric}: used {usage.Used} > limit {limit}");
        Assert.Equal(accepted.Sum(r => r.Amount), usage.Used);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("QUOTA_EXCEEDED", r.Code));
        // A retry of a counted key is never refused.
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.DoesNotContain(accepted, a => a.Key == r.Key));
        // Nothing was refused that would have fitted once everything else was counted.
        Assert.All(results.Where(r => !r.IsSuccess && accepted.All(a => a.Key != r.Key)), r => Assert.True(usage.Used + r.Amount > limit));
    }
}

public sealed class QuotaTests_Sqlite(SqlitePlatform platform) : QuotaTests<SqlitePlatform>(platform);

public sealed class QuotaTests_Postgres(PostgresPlatform platform) : QuotaTests<PostgresPlatform>(platform);
