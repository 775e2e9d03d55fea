using System.Net;
using System.Text.Json;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Notifications.Delivery;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Tests.Notifications;

/// <summary>
/// Outbound webhooks (issue 14) against a real HTTP server on loopback: every POST carries a signature the receiver can
/// check with the secret shown once; failures are retried with backoff and nothing is sent after success; a delivery
/// that never succeeds is dead-lettered after the last attempt; a replay resends the same event id; alerts reach them.
/// </summary>
public abstract class WebhookTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    private static void AssertSigned(ReceivedWebhook hook, string secret, Guid eventId, string eventType)
    {
        Assert.True(WebhookSignature.Verify(secret, hook.Headers[WebhookSignature.Header], hook.Body, hook.At, TimeSpan.FromMinutes(5)),
            $"signature '{hook.Headers[WebhookSignature.Header]}' does not verify");
        Assert.False(WebhookSignature.Verify(secret + "x", hook.Headers[WebhookSignature.Header], hook.Body, hook.At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, hook.Headers[WebhookSignature.Header], hook.Body + " ", hook.At, TimeSpan.FromMinutes(5)));
        Assert.Equal(eventId.ToString(), hook.Headers["Astralytiq-Event-Id"]);
        Assert.Equal(eventType, hook.Headers["Astralytiq-Event-Type"]);
        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal(eventId, body.RootElement.GetProperty("id").GetGuid());
        Assert.Equal(eventType, body.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Failures_are_retried_until_a_2xx_then_nothing_more_and_a_replay_resends_the_same_event_id()
    {
        var tenant = await Platform.NewTenantAsync();
        await using var receiver = new WebhookReceiver(n => n <= 2 ? 500 : 200);
        var endpoint = (await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest(receiver.Url(), "ops", ["webhook.test"], null))).EnsureValue();
        Assert.StartsWith("whsec_", endpoint.Secret, StringComparison.Ordinal);
        Assert.Null(Assert.Single((await tenant.Admin.Webhooks.ListAsync()).EnsureValue()).Secret);

        var test = (await tenant.Admin.Webhooks.TestAsync(endpoint.Id)).EnsureValue();
        await Eventually.TrueAsync(async () => (await tenant.Admin.Webhooks.DeliveriesAsync(endpoint.Id)).EnsureValue().Items.Single().Status == "delivered", Within, "delivered");
        var delivery = (await tenant.Admin.Webhooks.DeliveriesAsync(endpoint.Id)).EnsureValue().Items.Single();
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal([500, 500, 200], delivery.AttemptLog.Select(a => a.StatusCode));
        Assert.Equal("the endpoint answered HTTP 500", delivery.AttemptLog[0].Error);
        Assert.True(delivery.AttemptLog[2].At - delivery.AttemptLog[1].At >= TimeSpan.FromMilliseconds(70), "the second retry waited longer than the first (backoff)");
        // A sending round now finds nothing to send: a delivered event is never sent again on its own.
        Assert.Equal(0, await Platform.Services.GetRequiredService<WebhookSender>().SendDueAsync(CancellationToken.None, tenant.Id));
        Assert.Equal(3, receiver.Received.Count);
        foreach (var hook in receiver.Received)
        {
            AssertSigned(hook, endpoint.Secret!, test.EventId, "webhook.test");
        }

        var replay = (await tenant.Admin.Webhooks.ReplayAsync(endpoint.Id, delivery.Id)).EnsureValue();
        Assert.Equal(delivery.Id, replay.ReplayOf);
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Received.Count == 4), Within, "the replay arrived");
        AssertSigned(receiver.Received.Last(), endpoint.Secret!, test.EventId, "webhook.test");
    }

    [Fact]
    public async Task A_delivery_that_never_succeeds_is_dead_lettered_after_the_last_attempt()
    {
        var tenant = await Platform.NewTenantAsync();
        await using var receiver = new WebhookReceiver(_ => 503);
        var endpoint = (await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest(receiver.Url(), null, null, null))).EnsureValue();
        (await tenant.Admin.Webhooks.TestAsync(endpoint.Id)).EnsureSuccess();
        await Eventually.TrueAsync(async () => (await tenant.Admin.Webhooks.DeliveriesAsync(endpoint.Id, "dead")).EnsureValue().Total == 1, Within, "dead-lettered");
        var dead = (await tenant.Admin.Webhooks.DeliveriesAsync(endpoint.Id)).EnsureValue().Items.Single();
        Assert.Equal(4, dead.Attempts); // Astralytiq:Notifications:Webhooks:MaxAttempts on the test hosts
        Assert.Null(dead.NextAttemptAt);
        Assert.All(dead.AttemptLog, a => Assert.Equal(503, a.StatusCode));
        Assert.Equal(0, await Platform.Services.GetRequiredService<WebhookSender>().SendDueAsync(CancellationToken.None, tenant.Id));
        Assert.Equal(4, receiver.Received.Count);
    }

    [Fact]
    public async Task Bad_endpoints_get_clear_errors_and_a_rotated_secret_signs_from_then_on()
    {
        var tenant = await Platform.NewTenantAsync();
        foreach (var (url, field) in new[] { ("ftp://example.com/x", "url"), ("not a url", "url"), ("http://10.1.2.3/hook", "url"), ("http://user:pw@127.0.0.1/hook", "url") })
        {
            var bad = await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest(url, null, null, null));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
            Assert.Equal(field, bad.Error!.Error.Details![0].Field);
        }
        var unknown = await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest("http://127.0.0.1:9/hook", null, ["no.such.event"], null));
        Assert.Contains("alert.firing", unknown.Error!.Error.Details![0].Message, StringComparison.Ordinal);
        Assert.Empty((await tenant.Admin.Webhooks.ListAsync()).EnsureValue());

        await using var receiver = new WebhookReceiver();
        var endpoint = (await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest(receiver.Url(), null, ["webhook.*"], null))).EnsureValue();
        var rotated = (await tenant.Admin.Webhooks.RotateSecretAsync(endpoint.Id)).EnsureValue();
        Assert.NotEqual(endpoint.Secret, rotated.Secret);
        var test = (await tenant.Admin.Webhooks.TestAsync(endpoint.Id)).EnsureValue();
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Received.Count == 1), Within, "the test event arrived");
        var hook = receiver.Received.Single();
        AssertSigned(hook, rotated.Secret!, test.EventId, "webhook.test");
        Assert.False(WebhookSignature.Verify(endpoint.Secret!, hook.Headers[WebhookSignature.Header], hook.Body, hook.At, TimeSpan.FromMinutes(5)));
        // Another organisation sees none of it.
        var other = await Platform.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Webhooks.DeliveriesAsync(endpoint.Id)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Admin.Webhooks.DeleteAsync(endpoint.Id)).Status);
    }

    [Fact]
    public async Task A_firing_alert_reaches_the_webhooks_that_take_it()
    {
        var tenant = await Platform.NewTenantAsync();
        await using var alerts = new WebhookReceiver();
        await using var tests = new WebhookReceiver();
        var endpoint = (await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest(alerts.Url(), null, ["alert.*"], null))).EnsureValue();
        (await tenant.Admin.Webhooks.CreateAsync(new WebhookEndpointRequest(tests.Url(), null, ["webhook.test"], null))).EnsureSuccess();
        ScriptedAlertMetric.Set(tenant.Id, 42);
        var rule = (await tenant.Admin.Alerts.CreateAsync(new AlertRuleRequest("Hooked", ScriptedAlertMetric.MetricName, ">", 10, 1, 0, 1, "critical", ["webhook"], null, null))).EnsureValue();
        Assert.Equal("firing", (await tenant.Admin.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);
        await Eventually.TrueAsync(() => Task.FromResult(alerts.Received.Count == 1), Within, "the alert arrived");
        var hook = alerts.Received.Single();
        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal("alert.firing", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("critical", body.RootElement.GetProperty("severity").GetString());
        Assert.Equal(42, body.RootElement.GetProperty("data").GetProperty("value").GetDouble());
        Assert.Equal(rule.Id, body.RootElement.GetProperty("data").GetProperty("rule_id").GetGuid());
        AssertSigned(hook, endpoint.Secret!, body.RootElement.GetProperty("id").GetGuid(), "alert.firing");
        Assert.Empty(tests.Received);
        Assert.Equal(0, (await tenant.Admin.Notifications.ListAsync()).EnsureValue().Total); // webhook only: nobody told in the app
    }
}

public sealed class WebhookTests_Sqlite(SqlitePlatform platform) : WebhookTests<SqlitePlatform>(platform);

public sealed class WebhookTests_Postgres(PostgresPlatform platform) : WebhookTests<PostgresPlatform>(platform);
