using System.Net;
using System.Numerics;
using Astralytiq.Billing.Persistence;
using Astralytiq.Billing.Plans;
using Astralytiq.Billing.Subscriptions;
using Astralytiq.Contracts.Billing;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Platform.Quotas;
using Astralytiq.Platform.Scheduling;
using Astralytiq.Tenancy.Contracts;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Billing;

/// <summary>One generated billing period of P30: two plan prices (the second dearer), overage prices, tax, credit, minutes between start and upgrade, and use.</summary>
public sealed record InvoiceCase(
    long PriceA,
    long PriceB,
    (int Metric, long Included, long Cents, long Per)[] OverageA,
    (int Metric, long Included, long Cents, long Per)[] OverageB,
    int TaxBasisPoints,
    long Credit,
    int Minutes,
    (int Metric, int Amount)[] Events);

public static class InvoiceCases
{
    public static readonly string[] Metrics = [QuotaMetrics.RowsIngested, QuotaMetrics.Predictions, QuotaMetrics.ApiCalls, QuotaMetrics.ModelsTrained];

    private static Gen<(int, long, long, long)[]> Overage() =>
        (from metric in Gen.Choose(0, Metrics.Length - 1)
         from included in Gen.Choose(0, 3_000)
         from cents in Gen.Choose(0, 500)
         from per in Gen.Elements(1L, 7L, 10L, 1_000L)
         select (metric, (long)included, (long)cents, per)).ArrayOf().Select(a => a.DistinctBy(o => o.metric).Take(3).ToArray());

    public static Arbitrary<InvoiceCase> Cases() =>
        (from priceA in Gen.Choose(0, 20_000)
         from more in Gen.Choose(1, 20_000)
         from overageA in Overage()
         from overageB in Overage()
         from tax in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(0, 2_500)))
         from credit in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 30_000)))
         from minutes in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 90)))
         from events in (from m in Gen.Choose(0, Metrics.Length - 1) from a in Gen.Choose(1, 5_000) select (m, a)).ArrayOf()
         select new InvoiceCase(priceA, priceA + more, overageA, overageB, tax, credit, minutes, events.Take(8).ToArray())).ToArbitrary();
}

/// <summary>
/// Subscriptions, invoices and the plan catalog, on the fake-clock hosts (a period is closed by telling the service the
/// time; the clock moves only minutes, forward).
/// </summary>
[Collection(FakeClock.Collection)]
public abstract class SubscriptionTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IFakeClockPlatform
{
    private DateTimeOffset Now() => Platform.Clock.GetUtcNow();

    private async Task<T> InTenantAsync<T>(Guid tenantId, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
        return await work(scope.ServiceProvider);
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Platform.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private static SavePlanRequest Plan(string? code, long price, (int Metric, long Included, long Cents, long Per)[] overage) =>
        new(code, null, price, "USD", null, null,
            [.. overage.Select(o => new PlanOverageDto(InvoiceCases.Metrics[o.Metric], o.Included, o.Cents, o.Per))], null, true, false);

    /// <summary>Saves a plan (a new version when it exists) and returns that version.</summary>
    private Task<PlanDefinition> SavePlanAsync(string code, long price, (int Metric, long Included, long Cents, long Per)[] overage) =>
        InScopeAsync(async sp =>
        {
            var store = sp.GetRequiredService<PlanStore>();
            var exists = sp.GetRequiredService<PlanSettings>().Find(code) is { } found && found.Code == code;
            var saved = exists ? await store.UpdateAsync(code, Plan(null, price, overage), CancellationToken.None) : await store.CreateAsync(Plan(code, price, overage), CancellationToken.None);
            Assert.True(saved.IsSuccess, saved.Error?.Message);
            return saved.Value;
        });

    private static long HalfUp(BigInteger numerator, BigInteger denominator) =>
        (long)((2 * numerator + denominator) / (2 * denominator));

    /// <summary>
    /// P30: an invoice's total always equals the sum of the period's metered events priced by the plan version in force,
    /// plus the days on each plan pro rata, plus tax, less credit — worked out here apart from the platform, in whole
    /// numbers (ticks and cents) — and its lines add up to its subtotal.
    /// </summary>
    [Property(MaxTest = 100, Arbitrary = [typeof(InvoiceCases)])]
    public async Task P30_an_invoice_equals_the_metered_events_priced_by_the_plan_in_force(InvoiceCase c)
    {
        var a = await SavePlanAsync("p30_a", c.PriceA, c.OverageA);
        var b = await SavePlanAsync("p30_b", c.PriceB, c.OverageB);
        var tenantId = await InScopeAsync(async sp => (await sp.GetRequiredService<ITenantProvisioner>().ProvisionAsync("P30 " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None)).TenantId);
        var t0 = Now();
        await InTenantAsync(tenantId, async sp =>
        {
            var service = sp.GetRequiredService<SubscriptionService>();
            Assert.True((await service.MoveAsync(tenantId, a.Code, a.Version, "P30", CancellationToken.None)).IsSuccess);
            Assert.True((await service.SetTaxAsync(tenantId, new TenantTaxRequest(c.TaxBasisPoints / 100m), CancellationToken.None)).IsSuccess);
            if (c.Credit > 0)
            {
                Assert.True((await service.GrantCreditAsync(tenantId, new GrantCreditRequest(c.Credit, "P30"), CancellationToken.None)).IsSuccess);
            }
            return 0;
        });
        Platform.Clock.Advance(TimeSpan.FromMinutes(c.Minutes));
        var t1 = Now();
        await InTenantAsync(tenantId, async sp =>
        {
            var changed = await sp.GetRequiredService<SubscriptionService>().ChangeAsync(tenantId, b.Code, CancellationToken.None);
            Assert.True(changed.IsSuccess, changed.Error?.Message);
            Assert.Equal(SubscriptionService.Changed, changed.Value.Outcome);
            var quotas = sp.GetRequiredService<IQuotas>();
            foreach (var (e, i) in c.Events.Select((e, i) => (e, i)))
            {
                Assert.True((await quotas.RecordAsync(new UsageEvent(InvoiceCases.Metrics[e.Metric], e.Amount, $"p30:{i}", null, Enforce: false), CancellationToken.None)).IsSuccess);
            }
            return 0;
        });

        var start = new DateTimeOffset(t0.UtcDateTime.Year, t0.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddMonths(1);
        await InTenantAsync(tenantId, async sp =>
        {
            await sp.GetRequiredService<SubscriptionService>().AdvanceAsync(tenantId, end.AddHours(2), CancellationToken.None);
            return 0;
        });

        // The oracle: each plan's days in the period, in ticks; the use recorded on a day of the period, past what the plan
        // in force at its end includes; tax on the subtotal; credit up to the total.
        var period = (end - start).Ticks;
        long Days(DateTimeOffset from, DateTimeOffset to, long price)
        {
            var f = from < start ? start : from;
            var t = to > end ? end : to;
            return t <= f ? 0 : HalfUp((BigInteger)price * (t - f).Ticks, period);
        }
        var subtotal = Days(t0, t1, c.PriceA) + Days(t1, DateTimeOffset.MaxValue, c.PriceB);
        var inForce = t1 < end ? c.OverageB : c.OverageA;
        var used = t1 < end ? c.Events.GroupBy(e => e.Metric).ToDictionary(g => g.Key, g => g.Sum(e => (long)e.Amount)) : [];
        var anyLine = subtotal > 0;
        foreach (var o in inForce)
        {
            var over = Math.Max(0, used.GetValueOrDefault(o.Metric) - o.Included);
            if (over > 0)
            {
                subtotal += HalfUp((BigInteger)over * o.Cents, o.Per);
                anyLine |= HalfUp((BigInteger)over * o.Cents, o.Per) != 0;
            }
        }
        var tax = HalfUp((BigInteger)subtotal * c.TaxBasisPoints, 10_000);
        var credit = Math.Min(c.Credit, subtotal + tax);
        var total = subtotal + tax - credit;

        var (invoice, balance) = await InTenantAsync(tenantId, async sp =>
        {
            var db = sp.GetRequiredService<BillingDbContext>();
            var found = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(CancellationToken.None);
            return (found, await db.Subscriptions.AsNoTracking().Select(s => s.CreditBalanceCents).SingleAsync(CancellationToken.None));
        });
        if (!anyLine)
        {
            Assert.Null(invoice);
            Assert.Equal(c.Credit, balance);
            return;
        }
        Assert.NotNull(invoice);
        Assert.Equal((subtotal, tax, credit, total), (invoice.SubtotalCents, invoice.TaxCents, invoice.CreditCents, invoice.TotalCents));
        Assert.Equal(invoice.SubtotalCents, invoice.Lines.Where(l => l.Kind is "base" or "overage").Sum(l => l.AmountCents));
        Assert.Equal(invoice.TotalCents, invoice.Lines.Sum(l => l.AmountCents));
        Assert.Equal(c.Credit - credit, balance);
        Assert.Equal(total == 0 ? "paid" : "open", invoice.Status);
        Assert.Equal(start.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), invoice.Period);
    }

    /// <summary>Invoices closed at the same moment take consecutive numbers: none is skipped and none is used twice.</summary>
    [Fact]
    public async Task Invoice_numbers_have_no_gaps_when_periods_close_at_once()
    {
        var plan = await SavePlanAsync("gapless", 1_000, []);
        var tenants = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            var id = await InScopeAsync(async sp => (await sp.GetRequiredService<ITenantProvisioner>().ProvisionAsync("Gapless " + i, CancellationToken.None)).TenantId);
            await InTenantAsync(id, async sp => (await sp.GetRequiredService<SubscriptionService>().MoveAsync(id, plan.Code, plan.Version, null, CancellationToken.None)).Value);
            tenants.Add(id);
        }
        Platform.Clock.Advance(TimeSpan.FromMinutes(5));
        var end = new DateTimeOffset(Now().UtcDateTime.Year, Now().UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        await Task.WhenAll(tenants.Select(id => Task.Run(() => InTenantAsync(id, async sp =>
        {
            await sp.GetRequiredService<SubscriptionService>().AdvanceAsync(id, end.AddHours(1), CancellationToken.None);
            return 0;
        }))));
        var numbers = new List<(long Sequence, string Number)>();
        foreach (var id in tenants)
        {
            numbers.Add(await InTenantAsync(id, sp => sp.GetRequiredService<BillingDbContext>().Invoices.AsNoTracking().Select(i => new ValueTuple<long, string>(i.Sequence, i.Number)).SingleAsync(CancellationToken.None)));
        }
        Assert.Equal(8, numbers.Select(n => n.Sequence).Distinct().Count());
        Assert.All(numbers, n => Assert.Equal("INV-" + n.Sequence.ToString("D6", System.Globalization.CultureInfo.InvariantCulture), n.Number));
        // Across the platform (other organisations' invoices too): 1, 2, 3, … up to the counter, none missing, none twice.
        var (all, last) = await InScopeAsync(async sp =>
        {
            using var system = sp.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginSystemScope();
            var db = sp.GetRequiredService<BillingDbContext>();
            return (await db.Invoices.AsNoTracking().Select(i => i.Sequence).OrderBy(q => q).ToListAsync(CancellationToken.None),
                await db.Sequences.AsNoTracking().Select(q => q.Last).SingleAsync(CancellationToken.None));
        });
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all);
        Assert.Equal(all.Count, last);
    }

    /// <summary>
    /// An organisation's year in a few steps: put on a plan, upgraded at once (pro rata), a downgrade scheduled and called
    /// off, a downgrade refused because its use exceeds the cheaper plan, a cancellation, then the period's close: the
    /// invoice with both plans' days, emailed as a PDF, listed and downloadable, and the organisation on the free plan.
    /// </summary>
    [Fact]
    public async Task Upgrade_downgrade_cancel_and_the_periods_invoice()
    {
        var ops = await Platform.NewOperatorAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (basic, plus, tiny) = ("basic_" + suffix, "plus_" + suffix, "tiny_" + suffix);
        var created = (await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest(basic, "Basic", 1_000, "USD", new Dictionary<string, long> { ["datasets"] = 50 }, ["api_keys"], null, 14, true, false))).EnsureValue();
        Assert.Equal((basic, 1, "Basic", 1_000L), (created.Name, created.Version, created.DisplayName, created.MonthlyPriceCents!.Value));
        (await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest(plus, "Plus", 5_000, "USD", null, null, null, null, true, false))).EnsureSuccess();
        (await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest(tiny, "Tiny", 500, "USD", new Dictionary<string, long> { ["datasets"] = 0 }, null, null, null, true, false))).EnsureSuccess();
        // Bad plans are refused, each field named, and nothing is stored.
        var bad = await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest("Bad Code!", "", -1, "dollars", new Dictionary<string, long> { ["rows"] = 1 }, ["teleport"],
            [new PlanOverageDto("datasets", 0, 1, 0)], 400, true, false));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(["code", "currency", "features", "limits.rows", "monthly_price_cents", "name", "overage.datasets", "trial_days"],
            bad.Error!.Error.Details!.Select(d => d.Field).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, (await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest(basic, null, 1, null, null, null, null, null, null, null))).Status);

        var tenant = await Platform.NewTenantAsync();
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest(basic, "start"))).EnsureSuccess();
        var admin = tenant.Admin;
        var before = (await admin.Billing.GetSubscriptionAsync()).EnsureValue();
        Assert.Equal((basic, "active"), (before.Plan.Name, before.Status));
        // Joined part-way through the month: the plan's price for the days left of it.
        var share = (decimal)(before.PeriodEnd - Now()).Ticks / (before.PeriodEnd - before.PeriodStart).Ticks;
        Assert.Equal((long)Math.Round(1_000 * share, MidpointRounding.AwayFromZero), before.Upcoming.SubtotalCents);
        Assert.Equal("base", Assert.Single(before.Upcoming.Lines).Kind);

        Platform.Clock.Advance(TimeSpan.FromMinutes(30));
        var up = (await admin.Billing.ChangePlanAsync(plus)).EnsureValue();
        Assert.Equal(("changed", plus, (PendingChangeDto?)null), (up.Outcome, up.Subscription.Plan.Name, up.Subscription.Pending));
        Assert.Equal(2, up.Subscription.Upcoming.Lines.Count(l => l.Kind == "base"));
        Assert.Equal(plus, (await admin.Tenant.GetPlansAsync()).EnsureValue().Current);

        var down = (await admin.Billing.ChangePlanAsync(basic)).EnsureValue();
        Assert.Equal(("scheduled", plus, basic), (down.Outcome, down.Subscription.Plan.Name, down.Subscription.Pending!.Plan));
        Assert.Equal(down.Subscription.PeriodEnd, down.Subscription.Pending.At);
        var kept = (await admin.Billing.ReactivateAsync()).EnsureValue();
        Assert.Null(kept.Subscription.Pending);

        // Holding a dataset, the organisation cannot move to a plan that allows none: the refusal lists it, nothing changes.
        await InTenantAsync(tenant.Id, async sp => (await sp.GetRequiredService<IQuotas>().ConsumeAsync(QuotaMetrics.Datasets, 1, "dataset:" + suffix, CancellationToken.None)).Value);
        var refused = await admin.Billing.ChangePlanAsync(tiny);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("PLAN_LIMITS_EXCEEDED", refused.Error!.Error.Code);
        Assert.Equal("datasets", Assert.Single(refused.Error.Error.Details!).Field);
        Assert.Contains("Tiny plan allows", refused.Error.Error.Message, StringComparison.Ordinal);
        var after = (await admin.Billing.GetSubscriptionAsync()).EnsureValue();
        Assert.Equal((plus, (PendingChangeDto?)null), (after.Plan.Name, after.Pending));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.Billing.ChangePlanAsync("no-such-plan")).Status);

        var canceled = (await admin.Billing.CancelAsync()).EnsureValue();
        Assert.Equal("scheduled", canceled.Outcome);
        Assert.True(canceled.Subscription.Pending!.Cancel);
        Assert.Equal("unchanged", (await admin.Billing.CancelAsync()).EnsureValue().Outcome);
        (await admin.Billing.UpdateProfileAsync(new BillingProfileDto("Ünïcode GmbH — Αθήνα", null, "Hauptstraße 1\n10115 Berlin", "DE123"))).EnsureSuccess();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.Billing.UpdateProfileAsync(new BillingProfileDto(null, "not an email", null, null))).Status);

        // The period closes: one invoice with both plans' days, the organisation back on the free plan.
        var end = after.PeriodEnd;
        await InTenantAsync(tenant.Id, async sp =>
        {
            await sp.GetRequiredService<SubscriptionService>().AdvanceAsync(tenant.Id, end.AddHours(1), CancellationToken.None);
            return 0;
        });
        var invoices = (await admin.Billing.ListInvoicesAsync()).EnsureValue();
        var summary = Assert.Single(invoices.Items);
        var invoice = (await admin.Billing.GetInvoiceAsync(summary.Id)).EnsureValue();
        Assert.Equal(["Basic", "Plus"], invoice.Lines.Where(l => l.Kind == "base").Select(l => l.Description.Split(' ')[0]));
        Assert.Equal(invoice.SubtotalCents, invoice.Lines.Sum(l => l.AmountCents));
        Assert.InRange(invoice.SubtotalCents, 1_000, 5_000);
        Assert.Equal("Ünïcode GmbH — Αθήνα", invoice.BillTo);
        var now = (await admin.Billing.GetSubscriptionAsync()).EnsureValue();
        Assert.Equal(("free", (PendingChangeDto?)null, end), (now.Plan.Name, now.Pending, now.PeriodStart));

        var mail = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.StartsWith("Invoice " + summary.Number, StringComparison.Ordinal) == true);
        var attachment = Assert.Single(mail.Attachments.OfType<MimeKit.MimePart>());
        Assert.Equal($"invoice-{summary.Number}.pdf", attachment.FileName);
        var pdf = (await admin.Billing.DownloadInvoiceAsync(summary.Id)).EnsureValue();
        var text = ReadPdf(pdf);
        Assert.Contains(summary.Number, text, StringComparison.Ordinal);
        Assert.Contains("Ünïcode GmbH — Αθήνα", text, StringComparison.Ordinal);
        Assert.Contains("Hauptstraße 1", text, StringComparison.Ordinal);
        Assert.Contains("USD " + (invoice.Invoice.TotalCents / 100m).ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("en-US")), text, StringComparison.Ordinal);

        // The operator records the payment; a second time is refused; another organisation sees none of it.
        Assert.Equal("paid", (await ops.Operator.Billing.MarkPaidAsync(summary.Id)).EnsureValue().Status);
        Assert.Equal(HttpStatusCode.Conflict, (await ops.Operator.Billing.MarkPaidAsync(summary.Id)).Status);
        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Billing.GetInvoiceAsync(summary.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Billing.DownloadInvoiceAsync(summary.Id)).Status);
        Assert.Empty((await other.Admin.Billing.ListInvoicesAsync()).EnsureValue().Items);
        // A Viewer reads nothing of billing; an Analyst neither changes it.
        var (viewer, _) = await Platform.AddUserAsync(tenant, Astralytiq.Contracts.Identity.Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Billing.ChangePlanAsync(plus)).Status);
    }

    /// <summary>A trial: the plan at once and free, a reminder to the Admins before it ends, then back to the plan before.</summary>
    [Fact]
    public async Task A_trial_is_free_reminds_the_admins_and_ends_on_its_day()
    {
        var ops = await Platform.NewOperatorAsync();
        var code = "trial_" + Guid.NewGuid().ToString("N")[..6];
        (await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest(code, "Trialled", 9_900, "USD", null, null, null, 10, true, false))).EnsureSuccess();
        var tenant = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.Billing.GrantTrialAsync(tenant.Id, new GrantTrialRequest(code, 0))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Operator.Billing.GrantTrialAsync(Guid.NewGuid(), new GrantTrialRequest(code, 5))).Status);
        var trial = (await ops.Operator.Billing.GrantTrialAsync(tenant.Id, new GrantTrialRequest(code, null))).EnsureValue();
        Assert.Equal(("trialing", code), (trial.Status, trial.Plan.Name));
        var ends = trial.TrialEndsAt!.Value;
        Assert.Equal(Now().AddDays(10), ends);
        Assert.Equal(code, (await tenant.Admin.Tenant.GetPlansAsync()).EnsureValue().Current);
        Assert.All(trial.Upcoming.Lines.Where(l => l.Description.Contains("trial", StringComparison.Ordinal)), l => Assert.Equal(0, l.AmountCents));

        await AdvanceAsync(tenant.Id, ends.AddDays(-3).AddMinutes(1));
        await Eventually.TrueAsync(async () => (await tenant.Admin.Notifications.ListAsync()).EnsureValue().Items.Any(n => n.Kind == "billing.trial_ending"),
            TimeSpan.FromSeconds(10), "the trial reminder in the Admin's inbox");
        Assert.Equal("trialing", (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue().Status);

        await AdvanceAsync(tenant.Id, ends.AddMinutes(1));
        var back = (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue();
        Assert.Equal(("active", "free", (DateTimeOffset?)null), (back.Status, back.Plan.Name, back.TrialEndsAt));
        await Eventually.TrueAsync(async () => (await tenant.Admin.Notifications.ListAsync()).EnsureValue().Items.Any(n => n.Kind == "billing.trial_ended"),
            TimeSpan.FromSeconds(10), "the trial's end in the Admin's inbox");
    }

    /// <summary>An operator's save makes a new version; an organisation on the old one keeps its limits until it is moved.</summary>
    [Fact]
    public async Task A_plan_edit_is_a_new_version_and_tenants_keep_theirs_until_moved()
    {
        var ops = await Platform.NewOperatorAsync();
        var code = "versioned_" + Guid.NewGuid().ToString("N")[..6];
        (await ops.Operator.Billing.CreatePlanAsync(new SavePlanRequest(code, "Versioned", 2_000, "USD", new Dictionary<string, long> { ["datasets"] = 10 }, null, null, null, true, false))).EnsureSuccess();
        var tenant = await Platform.NewTenantAsync();
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest(code, null))).EnsureSuccess();
        var v2 = (await ops.Operator.Billing.UpdatePlanAsync(code, new SavePlanRequest(null, null, 3_000, null, new Dictionary<string, long> { ["datasets"] = 20 }, null, null, null, null, null))).EnsureValue();
        Assert.Equal((2, 3_000L, "Versioned"), (v2.Version, v2.MonthlyPriceCents!.Value, v2.DisplayName));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.Billing.UpdatePlanAsync(code, new SavePlanRequest("other", null, null, null, null, null, null, null, null, null))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Operator.Billing.UpdatePlanAsync("nope_" + code, new SavePlanRequest(null, null, 1, null, null, null, null, null, null, null))).Status);

        var sub = (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue();
        Assert.Equal((1, 2_000L, 10L), (sub.Plan.Version, sub.Plan.MonthlyPriceCents!.Value, sub.Plan.Limits["datasets"]));
        Assert.Equal(10, (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == "datasets").Limit);
        var versions = (await ops.Operator.Billing.ListPlansAsync(allVersions: true)).EnsureValue().Where(p => p.Name == code).Select(p => p.Version);
        Assert.Equal([1, 2], versions);

        var moved = (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest(code, "to v2", 2))).EnsureValue();
        Assert.Equal(2, moved.PlanVersion);
        Assert.Equal(20, (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Items.Single(i => i.Metric == "datasets").Limit);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new ChangeTenantPlanRequest(code, null, 9))).Status);

        // Archived: no longer offered to organisations, and a refusal no longer names it; those on it stay.
        (await ops.Operator.Billing.UpdatePlanAsync(code, new SavePlanRequest(null, null, null, null, null, null, null, null, null, true))).EnsureSuccess();
        Assert.DoesNotContain((await tenant.Admin.Tenant.GetPlansAsync()).EnsureValue().Plans, p => p.Name == code);
        Assert.Equal(2, (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue().Plan.Version);
    }

    private async Task AdvanceAsync(Guid tenantId, DateTimeOffset to)
    {
        if (to > Now())
        {
            Platform.Clock.AdjustTime(to);
        }
        await InTenantAsync(tenantId, async sp =>
        {
            await sp.GetRequiredService<SubscriptionService>().AdvanceAsync(tenantId, to, CancellationToken.None);
            return 0;
        });
    }

    private static string ReadPdf(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }
}

public sealed class SubscriptionTests_Sqlite(FakeClockSqlite platform) : SubscriptionTests<FakeClockSqlite>(platform);

public sealed class SubscriptionTests_Postgres(FakeClockPostgres platform) : SubscriptionTests<FakeClockPostgres>(platform);
