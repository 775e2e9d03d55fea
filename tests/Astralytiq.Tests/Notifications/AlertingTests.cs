using System.Net;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Notifications.Alerts;
using Astralytiq.Platform.Scheduling;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Notifications;

/// <summary>One case of P33: a rule's condition and pending period, and the metric's value at each evaluation (a minute apart).</summary>
public sealed record AlertScenario(string Comparison, double Threshold, int PendingMinutes, IReadOnlyList<double?> Values)
{
    public override string ToString() =>
        $"{Comparison} {Threshold} for {PendingMinutes} min over [{string.Join(", ", Values.Select(v => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no data"))}]";
}

public static class AlertScenarios
{
    internal static Gen<AlertScenario> Of(int maxLength) =>
        from comparison in Gen.Elements(">", ">=", "<", "<=")
        from threshold in Gen.Elements(1.0, 2.0, 2.5, 3.0)
        from pending in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 4)))
        from length in Gen.Choose(1, maxLength)
        from values in Gen.ArrayOf(Gen.Frequency((9, Gen.Elements<double?>(0, 1, 2, 2.5, 3, 4)), (1, Gen.Constant<double?>(null))), length)
        select new AlertScenario(comparison, threshold, pending, values);

    public static Arbitrary<AlertScenario> LongSeries() => Of(40).ToArbitrary();

    /// <summary>
    /// What should happen, from runs of evaluations where the condition holds (the oracle, written apart from the state
    /// machine): a run that starts pends (or fires at once with no pending period); it fires at its first evaluation at least
    /// the pending period after its start; a run that ends before firing clears; one that fired resolves, once, when it ends.
    /// </summary>
    public static IReadOnlyList<(string Kind, int At)> Expected(AlertScenario scenario)
    {
        var holds = scenario.Values.Select(v => v is { } x && scenario.Comparison switch
        {
            ">" => x > scenario.Threshold,
            ">=" => x >= scenario.Threshold,
            "<" => x < scenario.Threshold,
            _ => x <= scenario.Threshold,
        }).ToArray();
        var events = new List<(string, int)>();
        for (var start = 0; start < holds.Length; start++)
        {
            if (!holds[start] || (start > 0 && holds[start - 1]))
            {
                continue;
            }
            var end = start;
            while (end < holds.Length && holds[end])
            {
                end++;
            }
            // holds on [start, end); end is the first evaluation where it no longer holds (or past the series).
            var fireAt = start + scenario.PendingMinutes;
            if (scenario.PendingMinutes > 0)
            {
                events.Add(("pending", start));
            }
            if (fireAt < end)
            {
                events.Add(("firing", fireAt));
                if (end < holds.Length)
                {
                    events.Add(("resolved", end));
                }
            }
            else if (end < holds.Length)
            {
                events.Add(("cleared", end));
            }
        }
        return events;
    }
}

/// <summary>P33 on the state machine alone: many long series, every transition where the oracle puts it.</summary>
public sealed class AlertStateMachineTests
{
    [Property(MaxTest = 300, Arbitrary = [typeof(AlertScenarios)])]
    public void P33_the_state_machine_fires_exactly_when_the_condition_held_for_the_pending_period_once_and_resolves_once(AlertScenario scenario)
    {
        var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var standing = new AlertStanding(AlertStates.Ok, null);
        var events = new List<(string, int)>();
        for (var i = 0; i < scenario.Values.Count; i++)
        {
            var holds = AlertStateMachine.Holds(scenario.Comparison, scenario.Threshold, scenario.Values[i]);
            (standing, var transition) = AlertStateMachine.Step(standing, holds, start.AddMinutes(i), TimeSpan.FromMinutes(scenario.PendingMinutes));
            if (transition != AlertTransition.None)
            {
                events.Add((transition.ToString().ToLowerInvariant(), i));
            }
        }
        Assert.Equal(AlertScenarios.Expected(scenario), events);
    }

    [Fact]
    public void Messages_name_the_metric_value_and_condition_for_people()
    {
        var rule = new AlertRule { Name = "Ingest", Metric = "ingest_failures", Comparison = ">=", Threshold = 1500, WindowMinutes = 15, PendingMinutes = 5 };
        Assert.Equal("ingest_failures is 12,345.68 over the last 15 minutes, at or above 1,500 for 5 minutes now.",
            AlertEvaluator.Describe(rule, AlertTransition.Firing, 12_345.678, "count"));
        Assert.Equal("ingest_failures is no data over the last 15 minutes; no longer at or above 1,500.",
            AlertEvaluator.Describe(rule, AlertTransition.Resolved, null, "count"));
        Assert.Equal("97.5 %", AlertEvaluator.Number(97.5, "percent"));
    }
}

/// <summary>
/// P33 through the running platform (issue 14): a rule made through the API, its metric driven through a generated
/// series, evaluated by the shared schedule service at each minute of a fake clock: the history holds exactly the
/// oracle's transitions and the rule's recipient is told of each firing and each resolution once, in the app.
/// </summary>
[Collection(FakeClock.Collection)]
public abstract class AlertingTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IFakeClockPlatform
{
    private TestTenant? _tenant;

    protected async Task CheckP33Async(AlertScenario scenario)
    {
        _tenant ??= await Platform.NewTenantAsync();
        var client = _tenant.Admin;
        ScriptedAlertMetric.Set(_tenant.Id, null);
        var rule = (await client.Alerts.CreateAsync(new AlertRuleRequest("P33 " + scenario, ScriptedAlertMetric.MetricName, scenario.Comparison, scenario.Threshold,
            1, scenario.PendingMinutes, 1, "critical", [InApp], null, true))).EnsureValue();
        var before = (await client.Notifications.ListAsync(limit: 200)).EnsureValue().Total;
        var scheduler = Platform.Services.GetRequiredService<RecurringScheduler>();
        try
        {
            foreach (var value in scenario.Values)
            {
                ScriptedAlertMetric.Set(_tenant.Id, value);
                var due = (await client.Alerts.GetAsync(rule.Id)).EnsureValue().NextEvaluationAt!.Value;
                Platform.Clock.AdjustTime(due > Platform.Clock.GetUtcNow() ? due : Platform.Clock.GetUtcNow());
                Assert.Equal(1, await scheduler.TickAsync(Platform.Clock.GetUtcNow(), CancellationToken.None, _tenant.Id));
            }
            var expected = AlertScenarios.Expected(scenario);
            var history = (await client.Alerts.EventsAsync(rule.Id, limit: 200)).EnsureValue().Items.Reverse().ToList();
            Assert.True(expected.Select(e => e.Kind).SequenceEqual(history.Select(h => h.Kind)),
                $"expected {string.Join(", ", expected)}; history {string.Join(", ", history.Select(h => $"{h.Kind}@{h.At:HH:mm:ss.fff} ({h.Value})"))}");
            Assert.All(history, h => Assert.Equal(h.Kind is "firing" or "resolved", h.Notified));
            var told = (await client.Notifications.ListAsync(limit: 200)).EnsureValue();
            Assert.Equal(expected.Count(e => e.Kind is "firing" or "resolved"), told.Total - before);
            Assert.Equal(expected.Count(e => e.Kind == "firing"), told.Items.Take(told.Total - before).Count(n => n.Kind == "alert.firing"));
        }
        finally
        {
            (await client.Alerts.DeleteAsync(rule.Id)).EnsureSuccess();
        }
    }

    private const string InApp = "in_app";

    [Fact]
    public async Task A_silence_mutes_the_announcements_but_keeps_the_history()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var scheduler = Platform.Services.GetRequiredService<RecurringScheduler>();
        var rule = (await client.Alerts.CreateAsync(new AlertRuleRequest("Silenced", ScriptedAlertMetric.MetricName, ">", 5, 1, 0, 1, null, null, null, null))).EnsureValue();
        var silence = (await client.Alerts.SilenceAsync(new AlertSilenceRequest(rule.Id, "Maintenance", Platform.Clock.GetUtcNow().AddHours(1)))).EnsureValue();
        Assert.True((await client.Alerts.GetAsync(rule.Id)).EnsureValue().Silenced);
        foreach (var value in new double?[] { 9, 9, 1 })
        {
            ScriptedAlertMetric.Set(tenant.Id, value);
            Platform.Clock.AdjustTime((await client.Alerts.GetAsync(rule.Id)).EnsureValue().NextEvaluationAt!.Value);
            await scheduler.TickAsync(Platform.Clock.GetUtcNow(), CancellationToken.None, tenant.Id);
        }
        var history = (await client.Alerts.EventsAsync(rule.Id)).EnsureValue().Items;
        Assert.Equal(["resolved", "firing"], history.Select(h => h.Kind));
        Assert.All(history, h => Assert.True(h.Silenced && !h.Notified));
        Assert.Equal(0, (await client.Notifications.ListAsync()).EnsureValue().Total);

        // Ended: the next firing is announced.
        (await client.Alerts.EndSilenceAsync(silence.Id)).EnsureSuccess();
        ScriptedAlertMetric.Set(tenant.Id, 9);
        Platform.Clock.AdjustTime((await client.Alerts.GetAsync(rule.Id)).EnsureValue().NextEvaluationAt!.Value);
        await scheduler.TickAsync(Platform.Clock.GetUtcNow(), CancellationToken.None, tenant.Id);
        var told = Assert.Single((await client.Notifications.ListAsync()).EnsureValue().Items);
        Assert.Equal("alert.firing", told.Kind);
        Assert.Equal("Alert firing: Silenced", told.Title);
        Assert.Equal("test_scripted is 9 over the last minute, above 5.", told.Body);
    }
}

[Collection(FakeClock.Collection)]
public sealed class AlertingTests_Sqlite(FakeClockSqlite platform) : AlertingTests<FakeClockSqlite>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(AlertScenarioShort)])]
    public Task P33_an_alert_fires_exactly_when_its_condition_held_for_the_pending_period_once_and_resolves_once(AlertScenario scenario) => CheckP33Async(scenario);
}

[Collection(FakeClock.Collection)]
public sealed class AlertingTests_Postgres(FakeClockPostgres platform) : AlertingTests<FakeClockPostgres>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(AlertScenarioShort)])]
    public Task P33_an_alert_fires_exactly_when_its_condition_held_for_the_pending_period_once_and_resolves_once(AlertScenario scenario) => CheckP33Async(scenario);
}

/// <summary>Short series for the platform runs (each evaluation is a scheduler tick against the database).</summary>
public static class AlertScenarioShort
{
    public static Arbitrary<AlertScenario> ShortSeries() => AlertScenarios.Of(8).ToArbitrary();
}

/// <summary>Alert rules through the API: what a bad rule gets, and a rule on a real metric.</summary>
public abstract class AlertRuleApiTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task A_bad_rule_gets_every_field_error_at_once_and_changes_nothing()
    {
        var tenant = await Platform.NewTenantAsync();
        var bad = await tenant.Admin.Alerts.CreateAsync(new AlertRuleRequest(" ", "no_such_metric", "!=", double.MaxValue, 0, -1, 7, "loud", ["pager"], [Guid.NewGuid()], null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        var fields = bad.Error!.Error.Details!.Select(d => d.Field).ToHashSet();
        Assert.Superset(new HashSet<string> { "name", "metric", "comparison", "threshold", "window_minutes", "pending_minutes", "evaluate_every_minutes", "severity", "channels", "recipients" }, fields);
        Assert.Contains("job_failures", bad.Error.Error.Details!.Single(d => d.Field == "metric").Message, StringComparison.Ordinal);
        Assert.Empty((await tenant.Admin.Alerts.ListAsync()).EnsureValue());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.Alerts.SeriesAsync("no_such_metric")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await tenant.Admin.Alerts.SeriesAsync("job_failures", points: 0)).Status);
    }

    [Fact]
    public async Task A_rule_on_job_failures_fires_on_a_job_that_failed_for_good_and_lists_every_platform_metric()
    {
        var tenant = await Platform.NewTenantAsync();
        var metrics = (await tenant.Admin.Alerts.MetricsAsync()).EnsureValue().Select(m => m.Name).ToList();
        Assert.Superset(new HashSet<string> { "job_failures", "ingest_failures", "queue_age", "quota_use" }, metrics.ToHashSet());
        await FailedJobs.FailForGoodAsync(Platform, tenant);
        var rule = (await tenant.Admin.Alerts.CreateAsync(new AlertRuleRequest("Jobs failing", "job_failures", ">=", 1, 15, 0, 1, "critical", ["in_app", "email"], null, null))).EnsureValue();
        var evaluated = (await tenant.Admin.Alerts.EvaluateAsync(rule.Id)).EnsureValue();
        Assert.Equal("firing", evaluated.State);
        Assert.Equal(1, evaluated.LastValue);
        var mail = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("Jobs failing", StringComparison.Ordinal) == true);
        Assert.Equal("[Critical] Alert firing: Jobs failing", mail.Subject);
        Assert.Contains("job_failures is 1 over the last 15 min, at or above 1.", mail.TextBody ?? string.Empty, StringComparison.Ordinal);
        var series = (await tenant.Admin.Alerts.SeriesAsync("job_failures", windowMinutes: 15, points: 3)).EnsureValue();
        Assert.Equal(3, series.Points.Count);
        Assert.Equal(1, series.Points[^1].Value);
        // A viewer reads rules, never writes them.
        var (viewer, _) = await Platform.AddUserAsync(tenant, Contracts.Identity.Role.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Alerts.ListAsync()).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Alerts.DeleteAsync(rule.Id)).Status);
    }
}

/// <summary>Each person chooses how they hear about each event; the choice narrows what a rule asks for, for them alone.</summary>
public abstract class NotificationPreferenceTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task A_person_takes_firing_by_email_only_and_mutes_resolution()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var initial = (await client.Notifications.GetPreferencesAsync()).EnsureValue();
        Assert.Equal(["alert.firing", "alert.resolved", "report.delivered", "report.failed", "usage.warning", "usage.limit_reached",
            "billing.invoice_issued", "billing.trial_ending", "billing.trial_ended", "billing.payment_failed", "deployment.canary_rolled_back",
            "deployment.canary_promoted", "deployment.retraining_finished"], initial.Items.Select(i => i.EventType));
        Assert.All(initial.Items, i => Assert.Null(i.Channels));

        var bad = await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(
            [new NotificationPreferenceItem("alert.nope", ["email"]), new NotificationPreferenceItem("alert.firing", ["webhook"])]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(["items[0].event_type", "items[1].channels"], bad.Error!.Error.Details!.Select(d => d.Field));
        Assert.All((await client.Notifications.GetPreferencesAsync()).EnsureValue().Items, i => Assert.Null(i.Channels));

        var set = (await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(
            [new NotificationPreferenceItem("alert.firing", ["email"]), new NotificationPreferenceItem("alert.resolved", [])]))).EnsureValue();
        Assert.Equal(["email"], set.Items.Single(i => i.EventType == "alert.firing").Channels);
        Assert.Empty(set.Items.Single(i => i.EventType == "alert.resolved").Channels!);

        var rule = (await client.Alerts.CreateAsync(new AlertRuleRequest("Chosen", ScriptedAlertMetric.MetricName, ">", 5, 1, 0, 1, "warning", ["in_app", "email"], null, null))).EnsureValue();
        ScriptedAlertMetric.Set(tenant.Id, 9);
        Assert.Equal("firing", (await client.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);
        var mail = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("Chosen", StringComparison.Ordinal) == true);
        Assert.Equal("[Warning] Alert firing: Chosen", mail.Subject);
        Assert.Equal(0, (await client.Notifications.ListAsync()).EnsureValue().Total);
        ScriptedAlertMetric.Set(tenant.Id, 1);
        Assert.Equal("ok", (await client.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);
        Assert.Equal(0, (await client.Notifications.ListAsync()).EnsureValue().Total);
        Assert.Equal(["resolved", "firing"], (await client.Alerts.EventsAsync(rule.Id)).EnsureValue().Items.Select(e => e.Kind));

        // Back to the sender's choice: the next firing reaches the app too.
        (await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest([new NotificationPreferenceItem("alert.firing", null)]))).EnsureSuccess();
        ScriptedAlertMetric.Set(tenant.Id, 9);
        await client.Alerts.EvaluateAsync(rule.Id);
        Assert.Equal("alert.firing", Assert.Single((await client.Notifications.ListAsync()).EnsureValue().Items).Kind);
    }
}

public sealed class NotificationPreferenceTests_Sqlite(SqlitePlatform platform) : NotificationPreferenceTests<SqlitePlatform>(platform);

public sealed class NotificationPreferenceTests_Postgres(PostgresPlatform platform) : NotificationPreferenceTests<PostgresPlatform>(platform);

public sealed class AlertRuleApiTests_Sqlite(SqlitePlatform platform) : AlertRuleApiTests<SqlitePlatform>(platform);

public sealed class AlertRuleApiTests_Postgres(PostgresPlatform platform) : AlertRuleApiTests<PostgresPlatform>(platform);

/// <summary>The inbox is live: a notice left for a person reaches their open connection at once, and nobody else's.</summary>
public abstract class LiveInboxTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private async Task<(Microsoft.AspNetCore.SignalR.Client.HubConnection Hub, System.Collections.Concurrent.ConcurrentQueue<NotificationDto> Received)> ConnectAsync(string? token)
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<NotificationDto>();
        var hub = new Microsoft.AspNetCore.SignalR.Client.HubConnectionBuilder()
            .WithUrl(new Uri(Platform.BaseAddress, "hubs/notifications"), o => o.AccessTokenProvider = () => Task.FromResult(token))
            .AddJsonProtocol(o => o.PayloadSerializerOptions = new System.Text.Json.JsonSerializerOptions(Contracts.ApiJson.Options))
            .Build();
        hub.On<NotificationDto>("notification", n => received.Enqueue(n));
        await hub.StartAsync();
        return (hub, received);
    }

    [Fact]
    public async Task A_firing_alert_reaches_the_recipients_open_page_at_once_and_no_one_elses()
    {
        var tenant = await Platform.NewTenantAsync();
        var other = await Platform.NewTenantAsync();
        var (mine, received) = await ConnectAsync(tenant.Admin.AccessToken);
        var (theirs, theirsReceived) = await ConnectAsync(other.Admin.AccessToken);
        await using (mine)
        await using (theirs)
        {
            ScriptedAlertMetric.Set(tenant.Id, 50);
            var rule = (await tenant.Admin.Alerts.CreateAsync(new AlertRuleRequest("Live", ScriptedAlertMetric.MetricName, ">", 10, 1, 0, 1, null, ["in_app"], null, null))).EnsureValue();
            (await tenant.Admin.Alerts.EvaluateAsync(rule.Id)).EnsureSuccess();
            await Eventually.TrueAsync(() => Task.FromResult(!received.IsEmpty), TimeSpan.FromSeconds(10), "the pushed notification");
            var pushed = Assert.Single(received);
            Assert.Equal("alert.firing", pushed.Kind);
            Assert.Equal("Alert firing: Live", pushed.Title);
            Assert.Equal((await tenant.Admin.Notifications.ListAsync()).EnsureValue().Items.Single().Id, pushed.Id);
            Assert.Empty(theirsReceived);
        }
        // Without a valid token there is no live inbox.
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("not-a-token"));
    }
}

public sealed class LiveInboxTests_Sqlite(SqlitePlatform platform) : LiveInboxTests<SqlitePlatform>(platform);

public sealed class LiveInboxTests_Postgres(PostgresPlatform platform) : LiveInboxTests<PostgresPlatform>(platform);
