using Microsoft.Extensions.Configuration;
using System.ComponentModel.DataAnnotations;
using Astralytiq.Notifications.Preferences;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Astralytiq.Notifications.Delivery;

/// <summary>
/// <c>Astralytiq:Notifications:Sms</c>: <c>log</c> (the default: text messages are written to the log, nothing is sent) or
/// <c>twilio</c> with the account's SID, auth token and sending number. <see cref="BaseUrl"/> points the Twilio client at
/// another host speaking Twilio's API (a regional edge, a proxy, a test stand-in); empty means api.twilio.com.
/// </summary>
internal sealed class SmsSettings : IValidatableObject
{
    [RegularExpression("(?i)^(log|twilio)$", ErrorMessage = "must be log or twilio")]
    public string Provider { get; set; } = "log";

    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary>The sending number (E.164) or a messaging service SID (<c>MG…</c>).</summary>
    public string? From { get; set; }

    public string? BaseUrl { get; set; }

    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    public bool IsTwilio => string.Equals(Provider, "twilio", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsTwilio && (string.IsNullOrWhiteSpace(AccountSid) || string.IsNullOrWhiteSpace(AuthToken) || string.IsNullOrWhiteSpace(From)))
        {
            yield return new ValidationResult("the twilio provider needs AccountSid, AuthToken and From", [nameof(AccountSid), nameof(AuthToken), nameof(From)]);
        }
        if (!string.IsNullOrWhiteSpace(BaseUrl) && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("BaseUrl must be an absolute URL", [nameof(BaseUrl)]);
        }
    }
}

/// <summary>Sends one text message. Throws when it may work on a retry; a message the provider refuses for good is logged and dropped.</summary>
internal interface ISmsSender
{
    Task SendAsync(string to, string body, CancellationToken cancellationToken);
}

/// <summary>Send this text message; queued in the outbox with what it announces, so it goes out once the change is committed (and is retried).</summary>
internal sealed record SmsRequested(string To, string Body) : ISensitiveIntegrationEvent;

internal sealed class SendRequestedSms(ISmsSender sender) : IIntegrationEventHandler<SmsRequested>
{
    public Task HandleAsync(SmsRequested integrationEvent, Guid messageId, CancellationToken cancellationToken) =>
        sender.SendAsync(integrationEvent.To, integrationEvent.Body, cancellationToken);
}

/// <summary>The Notifications module's spans and instruments (<c>Astralytiq.Notifications</c>).</summary>
internal static class NotificationsTelemetry
{
    public const string Name = "Astralytiq.Notifications";

    public static readonly System.Diagnostics.ActivitySource Source = new(Name);

    public static readonly System.Diagnostics.Metrics.Meter Meter = new(Name);

    public static readonly System.Diagnostics.Metrics.Counter<long> TextMessages = Meter.CreateCounter<long>("astralytiq.sms", "{message}",
        "Text messages handed on, by outcome: sent (accepted by the provider), refused (for good), failed (retried), logged (no provider configured)");
}

internal static class SmsTelemetry
{
    public static void Count(string outcome) =>
        NotificationsTelemetry.TextMessages.Add(1, new KeyValuePair<string, object?>("astralytiq.sms.outcome", outcome));
}

/// <summary>The default: no provider, so the message goes to the log (with the number masked) and nowhere else.</summary>
internal sealed partial class LogSmsSender(ILogger<LogSmsSender> logger) : ISmsSender
{
    public Task SendAsync(string to, string body, CancellationToken cancellationToken)
    {
        LogMessage(logger, PhoneNumbers.Masked(to), body);
        SmsTelemetry.Count("logged");
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No SMS provider configured: text message to {To} not sent: {Body}")]
    private static partial void LogMessage(ILogger logger, string to, string body);
}

/// <summary>Sends through Twilio's Messages API with Twilio's own client library.</summary>
internal sealed partial class TwilioSmsSender(SmsSettings settings, IHttpClientFactory http, ILogger<TwilioSmsSender> logger) : ISmsSender
{
    public const string HttpClientName = "twilio";

    public async Task SendAsync(string to, string body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var client = new TwilioRestClient(settings.AccountSid, settings.AuthToken, httpClient: new SystemNetHttpClient(http.CreateClient(HttpClientName)));
        var options = new CreateMessageOptions(new PhoneNumber(to)) { Body = body };
        if (settings.From!.StartsWith("MG", StringComparison.Ordinal))
        {
            options.MessagingServiceSid = settings.From;
        }
        else
        {
            options.From = new PhoneNumber(settings.From);
        }
        using var activity = NotificationsTelemetry.Source.StartActivity("sms send", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("astralytiq.sms.provider", "twilio");
        try
        {
            var message = await MessageResource.CreateAsync(options, client).ConfigureAwait(false);
            SmsTelemetry.Count("sent");
            LogSent(logger, PhoneNumbers.Masked(to), message.Sid);
        }
        catch (ApiException ex) when (ex.Status is >= 400 and < 500 and not 401 and not 403 and not 429)
        {
            // Twilio refuses this message for good (a number it cannot reach, a body too long): a retry gets the same answer.
            SmsTelemetry.Count("refused");
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"twilio {ex.Code}");
            LogRefused(logger, PhoneNumbers.Masked(to), ex.Status, ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is ApiException or ApiConnectionException or AuthenticationException or HttpRequestException or TaskCanceledException)
        {
            SmsTelemetry.Count("failed");
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent text message to {To} through Twilio ({Sid})")]
    private static partial void LogSent(ILogger logger, string to, string sid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused the text message to {To}: HTTP {Status}, code {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string to, int status, int code, string reason);
}

/// <summary>Sends the Twilio client's requests to <see cref="SmsSettings.BaseUrl"/> instead of api.twilio.com, path and query kept.</summary>
internal sealed class TwilioBaseUrlHandler(Uri baseUrl) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = baseUrl.Scheme, Host = baseUrl.Host, Port = baseUrl.Port }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}

internal static class SmsSetup
{
    public static IServiceCollection AddSms(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = SettingsBinder.Bind<SmsSettings>(configuration, "Astralytiq:Notifications:Sms");
        services.AddSingleton(settings);
        if (settings.IsTwilio)
        {
            var client = services.AddHttpClient(TwilioSmsSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds));
            if (!string.IsNullOrWhiteSpace(settings.BaseUrl))
            {
                var baseUrl = new Uri(settings.BaseUrl);
                client.AddHttpMessageHandler(() => new TwilioBaseUrlHandler(baseUrl));
            }
            services.AddSingleton<ISmsSender, TwilioSmsSender>();
        }
        else
        {
            services.AddSingleton<ISmsSender, LogSmsSender>();
        }
        services.AddIntegrationEventHandler<SmsRequested, SendRequestedSms>();
        return services;
    }
}
