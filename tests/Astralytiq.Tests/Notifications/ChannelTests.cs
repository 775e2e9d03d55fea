using System.Net;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;
using Astralytiq.Notifications.Delivery;
using Astralytiq.Platform.Scheduling;
using Astralytiq.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Astralytiq.Tests.Notifications;

/// <summary>Text messages through Twilio's client to a local stand-in, localized emails with one-click unsubscribe.</summary>
public abstract class ChannelTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture
{
    [Fact]
    public async Task A_text_message_goes_through_Twilio_only_to_the_recipients_who_gave_a_number()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var (other, otherUser) = await Platform.AddUserAsync(tenant, Role.Analyst);

        var bad = await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(null, "0151 2345", "weekly"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Status);
        Assert.Equal(["sms_number", "email_digest"], bad.Error!.Error.Details!.Select(d => d.Field));
        var unchanged = (await client.Notifications.GetPreferencesAsync()).EnsureValue();
        Assert.Equal((null, "off"), (unchanged.SmsNumber, unchanged.EmailDigest));
        Assert.Contains("sms", unchanged.Channels);

        // Spaces, brackets and the 00 prefix are taken; what is kept is E.164.
        var set = (await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(null, "0049 (151) 2345-6789"))).EnsureValue();
        Assert.Equal("+4915123456789", set.SmsNumber);

        var rule = (await client.Alerts.CreateAsync(new AlertRuleRequest("Texted", ScriptedAlertMetric.MetricName, ">", 5, 1, 0, 1, "critical",
            ["sms", "in_app"], [tenant.AdminUser.Id, otherUser.Id], null))).EnsureValue();
        Assert.Contains("sms", rule.Channels);
        ScriptedAlertMetric.Set(tenant.Id, 9);
        Assert.Equal("firing", (await client.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);

        await Eventually.TrueAsync(() => Task.FromResult(Platform.Twilio.To("+4915123456789").Count > 0), TimeSpan.FromSeconds(30), "the text message reaches Twilio");
        var text = Assert.Single(Platform.Twilio.To("+4915123456789"));
        Assert.Equal(TwilioStandIn.From, text.From);
        Assert.StartsWith("Astralytiq: [Critical] Alert firing: Texted - test_scripted is 9 over the last 1 min, above 5.", text.Body, StringComparison.Ordinal);
        Assert.EndsWith($" http://localhost:5080/alerts?rule={rule.Id}", text.Body, StringComparison.Ordinal);
        Assert.InRange(text.Body.Length, 1, NotificationDispatch.MaxSmsLength);
        Assert.Empty(Platform.Twilio.Problems);
        // The other recipient gave no number: in the app only.
        Assert.Equal("alert.firing", Assert.Single((await other.Notifications.ListAsync()).EnsureValue().Items).Kind);

        // Removing the number stops the texts.
        (await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(null, string.Empty))).EnsureSuccess();
        Assert.Null((await client.Notifications.GetPreferencesAsync()).EnsureValue().SmsNumber);
    }

    [Fact]
    public async Task Twilio_refusing_a_number_is_final_while_wrong_credentials_are_retried()
    {
        await using var provider = new ServiceCollection().AddHttpClient(TwilioSmsSender.HttpClientName)
            .AddHttpMessageHandler(() => new TwilioBaseUrlHandler(new Uri(Platform.Twilio.BaseUrl))).Services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        var good = new SmsSettings { Provider = "twilio", AccountSid = TwilioStandIn.AccountSid, AuthToken = TwilioStandIn.AuthToken, From = TwilioStandIn.From };
        var sender = new TwilioSmsSender(good, factory, NullLogger<TwilioSmsSender>.Instance);

        // Twilio's test number that cannot be reached: 400/21211, logged and dropped (a retry gets the same answer).
        await sender.SendAsync(TwilioStandIn.UnreachableNumber, "hello", CancellationToken.None);
        Assert.Contains((TwilioStandIn.UnreachableNumber, 400), Platform.Twilio.Answers);
        Assert.Empty(Platform.Twilio.To(TwilioStandIn.UnreachableNumber));

        // Wrong credentials are the operator's to fix: the send fails so the outbox tries again later.
        var wrong = new TwilioSmsSender(new SmsSettings { Provider = "twilio", AccountSid = TwilioStandIn.AccountSid, AuthToken = "wrong", From = TwilioStandIn.From },
            factory, NullLogger<TwilioSmsSender>.Instance);
        var failure = await Assert.ThrowsAsync<Twilio.Exceptions.ApiException>(() => wrong.SendAsync("+4915199999999", "hello", CancellationToken.None));
        Assert.Equal((401, 20003), (failure.Status, failure.Code));

        // A messaging service SID goes as MessagingServiceSid instead of From.
        var service = new TwilioSmsSender(good.With("MG0123456789abcdef0123456789abcdef"), factory, NullLogger<TwilioSmsSender>.Instance);
        await service.SendAsync("+4915188888888", "via service", CancellationToken.None);
        var sent = Assert.Single(Platform.Twilio.To("+4915188888888"));
        Assert.Equal(("MG0123456789abcdef0123456789abcdef", null, "via service"), (sent.MessagingServiceSid, sent.From, sent.Body));
        Assert.Empty(Platform.Twilio.Problems);
    }

    [Fact]
    public async Task An_email_is_in_the_organisations_language_and_its_one_click_link_stops_only_that_kind_of_email()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        (await client.Tenant.UpdateAsync(new UpdateTenantRequest(null, null, null, "de-DE", null))).EnsureSuccess();
        var rule = (await client.Alerts.CreateAsync(new AlertRuleRequest("Umsatz", ScriptedAlertMetric.MetricName, ">", 1234.5, 15, 0, 1, "warning",
            ["in_app", "email"], null, null))).EnsureValue();
        ScriptedAlertMetric.Set(tenant.Id, 2500.25);
        Assert.Equal("firing", (await client.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);

        var mail = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("Umsatz", StringComparison.Ordinal) == true);
        Assert.Equal("[Warnung] Alarm ausgelöst: Umsatz", mail.Subject);
        Assert.Contains("test_scripted liegt in den letzten 15 min bei 2.500,25, über 1.234,5.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Keine E-Mails mehr zu „An alert rule you receive starts firing“", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("2.500,25", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        var oneClick = new Uri(mail.Headers["List-Unsubscribe"]!.Trim('<', '>'));
        Assert.Equal("/api/v1/public/notifications/unsubscribe", oneClick.AbsolutePath);
        var token = Uri.UnescapeDataString(oneClick.Query["?token=".Length..]);
        Assert.Contains($"/unsubscribe?kind=notification&token={token}", mail.TextBody, StringComparison.Ordinal);

        // A changed or made-up token changes nothing.
        var anonymous = Platform.NewClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.UnsubscribeFromNotificationsAsync(token[..^4] + "AAAA")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Public.UnsubscribeFromNotificationsAsync("x")).Status);
        Assert.Null((await client.Notifications.GetPreferencesAsync()).EnsureValue().Items.Single(i => i.EventType == "alert.firing").Channels);

        var done = (await anonymous.Public.UnsubscribeFromNotificationsAsync(token)).EnsureValue();
        Assert.Equal(("alert.firing", tenant.AdminUser.Email), (done.EventType, done.Email));
        (await anonymous.Public.UnsubscribeFromNotificationsAsync(token)).EnsureSuccess(); // a second click is harmless
        var after = (await client.Notifications.GetPreferencesAsync()).EnsureValue();
        Assert.Equal(["in_app", "sms"], after.Items.Single(i => i.EventType == "alert.firing").Channels);
        Assert.Null(after.Items.Single(i => i.EventType == "alert.resolved").Channels);

        // Resolution still comes by email; the next firing only in the app.
        ScriptedAlertMetric.Set(tenant.Id, 0);
        Assert.Equal("ok", (await client.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);
        Assert.Equal("Alarm aufgehoben: Umsatz", (await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("Umsatz", StringComparison.Ordinal) == true)).Subject);
        ScriptedAlertMetric.Set(tenant.Id, 5000);
        Assert.Equal("firing", (await client.Alerts.EvaluateAsync(rule.Id)).EnsureValue().State);
        Assert.Equal(2, (await client.Notifications.ListAsync()).EnsureValue().Items.Count(n => n.Kind == "alert.firing"));
        // The resolution mail was sent after the second firing was committed; nothing about the firing came with it.
        Assert.DoesNotContain(Platform.Smtp.ReceivedTo(tenant.AdminUser.Email), m => m.Subject?.Contains("Umsatz", StringComparison.Ordinal) == true);
    }
}

public sealed class ChannelTests_Sqlite(SqlitePlatform platform) : ChannelTests<SqlitePlatform>(platform);

public sealed class ChannelTests_Postgres(PostgresPlatform platform) : ChannelTests<PostgresPlatform>(platform);

internal static class SmsSettingsExtensions
{
    public static SmsSettings With(this SmsSettings settings, string from) =>
        new() { Provider = settings.Provider, AccountSid = settings.AccountSid, AuthToken = settings.AuthToken, From = from, BaseUrl = settings.BaseUrl };
}

/// <summary>Email digests: run by the shared schedule service on the fake clock.</summary>
public abstract class DigestTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IFakeClockPlatform
{
    [Fact]
    public async Task An_hourly_digest_gathers_the_notices_into_one_email_while_critical_ones_come_at_once()
    {
        var tenant = await Platform.NewTenantAsync();
        var client = tenant.Admin;
        var set = (await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(null, null, "hourly"))).EnsureValue();
        Assert.Equal("hourly", set.EmailDigest);
        Assert.Equal(["off", "hourly", "daily"], set.DigestChoices!);
        var warning = (await client.Alerts.CreateAsync(new AlertRuleRequest("Gathered", ScriptedAlertMetric.MetricName, ">", 5, 1, 0, 1, "warning", ["email"], null, null))).EnsureValue();
        var critical = (await client.Alerts.CreateAsync(new AlertRuleRequest("Urgent", ScriptedAlertMetric.MetricName, ">", 100, 1, 0, 1, "critical", ["email"], null, null))).EnsureValue();

        ScriptedAlertMetric.Set(tenant.Id, 9);
        Assert.Equal("firing", (await client.Alerts.EvaluateAsync(warning.Id)).EnsureValue().State);
        Platform.Clock.Advance(TimeSpan.FromSeconds(1));
        ScriptedAlertMetric.Set(tenant.Id, 1);
        Assert.Equal("ok", (await client.Alerts.EvaluateAsync(warning.Id)).EnsureValue().State);
        ScriptedAlertMetric.Set(tenant.Id, 500);
        Assert.Equal("firing", (await client.Alerts.EvaluateAsync(critical.Id)).EnsureValue().State);
        var urgent = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("Urgent", StringComparison.Ordinal) == true);
        Assert.Equal("[Critical] Alert firing: Urgent", urgent.Subject);
        Assert.Equal(2, await WaitingAsync(tenant.Id));
        // The rules would be evaluated at the same tick (and the warning fire again): out of the way.
        (await client.Alerts.DeleteAsync(warning.Id)).EnsureSuccess();
        (await client.Alerts.DeleteAsync(critical.Id)).EnsureSuccess();

        // The digest's hour comes: one email with both notices, oldest first; then nothing is left waiting.
        var due = await DueAsync(tenant.Id);
        Assert.Equal(0, due.Minute);
        Platform.Clock.AdjustTime(due);
        await Platform.Services.GetRequiredService<RecurringScheduler>().TickAsync(due, CancellationToken.None, tenant.Id);
        var digest = await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, m => m.Subject?.Contains("notifications from Astralytiq", StringComparison.Ordinal) == true);
        Assert.Equal("2 notifications from Astralytiq", digest.Subject);
        var body = digest.TextBody!;
        Assert.True(body.IndexOf("[Warning] Alert firing: Gathered", StringComparison.Ordinal) is > 0 and var fired
            && body.IndexOf("Alert resolved: Gathered", StringComparison.Ordinal) > fired, body);
        Assert.DoesNotContain("Urgent", body, StringComparison.Ordinal);
        Assert.Contains($"Open in Astralytiq: http://localhost:5080/alerts?rule={warning.Id}", body, StringComparison.Ordinal);
        Assert.Equal(0, await WaitingAsync(tenant.Id));
        Assert.Equal(due.AddHours(1), await DueAsync(tenant.Id));

        // Back to one email per notice: the schedule is gone.
        (await client.Notifications.SetPreferencesAsync(new NotificationPreferencesRequest(null, null, "off"))).EnsureSuccess();
        Assert.Null(await ContactAsync(tenant.Id, c => c.NextRunAt));
    }

    private async Task<int> WaitingAsync(Guid tenantId)
    {
        using var scope = Platform.Services.CreateScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
        return await scope.ServiceProvider.GetRequiredService<Astralytiq.Notifications.Persistence.NotificationsDbContext>().DigestItems.CountAsync();
    }

    private async Task<DateTimeOffset> DueAsync(Guid tenantId) => (await ContactAsync(tenantId, c => c.NextRunAt))!.Value;

    private async Task<T> ContactAsync<T>(Guid tenantId, System.Linq.Expressions.Expression<Func<Astralytiq.Notifications.Preferences.NotificationContact, T>> read)
    {
        using var scope = Platform.Services.CreateScope();
        using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenantId);
        return await scope.ServiceProvider.GetRequiredService<Astralytiq.Notifications.Persistence.NotificationsDbContext>().NotificationContacts.Select(read).SingleAsync();
    }
}

[Collection(FakeClock.Collection)]
public sealed class DigestTests_Sqlite(FakeClockSqlite platform) : DigestTests<FakeClockSqlite>(platform);

[Collection(FakeClock.Collection)]
public sealed class DigestTests_Postgres(FakeClockPostgres platform) : DigestTests<FakeClockPostgres>(platform);
