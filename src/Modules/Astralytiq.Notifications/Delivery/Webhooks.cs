using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace Astralytiq.Notifications.Delivery;

/// <summary>An organisation's webhook endpoint: where events are posted, which event types, and its signing secret (sealed).</summary>
internal sealed class WebhookEndpoint : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Url { get; set; } = string.Empty;

    public string? Description { get; set; }

    /// <summary>Comma-separated event types, or <c>*</c> for all.</summary>
    public string EventTypes { get; set; } = "*";

    public string SecretProtected { get; set; } = string.Empty;

    public bool Enabled { get; set; } = true;

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public bool Takes(string eventType) =>
        EventTypes == "*" || EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries).Any(t => t == eventType || (t.EndsWith(".*", StringComparison.Ordinal) && eventType.StartsWith(t[..^1], StringComparison.Ordinal)));
}

/// <summary>One event sent (or being sent) to one endpoint, with every attempt's outcome.</summary>
internal sealed class WebhookDelivery : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid EndpointId { get; set; }

    /// <summary>The event's id: the same on every attempt and on a replay, so receivers can drop duplicates.</summary>
    public Guid EventId { get; set; }

    public string EventType { get; set; } = string.Empty;

    public string PayloadJson { get; set; } = "{}";

    /// <summary><c>pending</c>, <c>retrying</c>, <c>delivered</c> or <c>dead</c>.</summary>
    public string Status { get; set; } = WebhookStatus.Pending;

    public int Attempts { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    /// <summary>JSON array of the attempts: at, status code (or null), error, duration.</summary>
    public string AttemptsJson { get; set; } = "[]";

    public Guid? ReplayOf { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}

internal static class WebhookStatus
{
    public const string Pending = "pending";
    public const string Retrying = "retrying";
    public const string Delivered = "delivered";
    public const string Dead = "dead";
}

internal sealed record WebhookAttempt(DateTimeOffset At, int? StatusCode, string? Error, double DurationMs);

/// <summary><c>Astralytiq:Notifications:Webhooks</c>.</summary>
internal sealed class WebhookSettings
{
    /// <summary>Attempts before a delivery is dead-lettered (it can still be replayed by hand).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 30)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; doubled on each further attempt, with ±20 % jitter (1 min, 2, 4, … about 2 hours by the 8th).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3_600_000)]
    public int RetryBaseMilliseconds { get; set; } = 60_000;

    [System.ComponentModel.DataAnnotations.Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Hosts or addresses webhooks may reach although they are private or loopback (an intranet receiver).</summary>
    public List<string> NetworkAllowList { get; set; } = [];

    /// <summary>The longest the idle sender sleeps: it wakes for new deliveries and when the next retry falls due, and looks at least this often.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 600_000)]
    public int PollMilliseconds { get; set; } = 30_000;
}

/// <summary>
/// The signature Stripe popularised: header <c>Astralytiq-Signature: t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}</c>
/// with the endpoint's secret. Receivers recompute it and reject old timestamps (replays by a third party).
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "Astralytiq-Signature";

    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Checks a header against the body and secret, allowing <paramref name="tolerance"/> of clock difference.</summary>
    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(header);
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToLookup(p => p[0], p => p[1]);
        if (!long.TryParse(parts["t"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            || Math.Abs(now.ToUnixTimeSeconds() - t) > tolerance.TotalSeconds)
        {
            return false;
        }
        var expected = Sign(secret, t, body)[(Sign(secret, t, body).IndexOf(",v1=", StringComparison.Ordinal) + 4)..];
        return parts["v1"].Any(v => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(v), Encoding.ASCII.GetBytes(expected)));
    }

    internal static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Wakes the sender when deliveries are added.</summary>
internal sealed class WebhookSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Pulse()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // already pulsed
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Sends due webhook deliveries: signs each POST, records every attempt (status code or error), retries failures with
/// exponential backoff and jitter, and dead-letters a delivery after the last attempt. A 2xx answer delivers; anything
/// else (or no answer in time) is a failed attempt. Redirects are not followed and private addresses are refused
/// unless allow-listed.
/// </summary>
internal sealed partial class WebhookSender(
    IServiceScopeFactory scopes,
    WebhookSignal signal,
    WebhookSettings settings,
    SecretProtector protector,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    private const int Batch = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await SendDueAsync(stoppingToken).ConfigureAwait(false);
                if (sent < Batch)
                {
                    // Idle: sleep until the next retry falls due (or a new delivery wakes us), never longer than the poll cap.
                    await signal.WaitAsync(await UntilNextDueAsync(stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRoundFailed(logger, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(settings.PollMilliseconds), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long until the earliest waiting delivery falls due, at most <see cref="WebhookSettings.PollMilliseconds"/>.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var next = await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookStatus.Pending || d.Status == WebhookStatus.Retrying)
            .OrderBy(d => d.NextAttemptAt).Select(d => (DateTimeOffset?)d.NextAttemptAt).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var cap = TimeSpan.FromMilliseconds(settings.PollMilliseconds);
        if (next is not { } due)
        {
            return cap;
        }
        var wait = due - time.GetUtcNow();
        return wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : wait < cap ? wait : cap;
    }

    /// <summary>Sends the deliveries due now; returns how many were attempted.</summary>
    internal async Task<int> SendDueAsync(CancellationToken ct, Guid? onlyTenant = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        using var system = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var now = time.GetUtcNow();
        var due = await db.WebhookDeliveries
            .Where(d => (d.Status == WebhookStatus.Pending || d.Status == WebhookStatus.Retrying) && d.NextAttemptAt <= now && (onlyTenant == null || d.TenantId == onlyTenant))
            .OrderBy(d => d.NextAttemptAt).Take(Batch).ToListAsync(ct).ConfigureAwait(false);
        foreach (var delivery in due)
        {
            var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct).ConfigureAwait(false);
            await AttemptAsync(delivery, endpoint, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        return due.Count;
    }

    private async Task AttemptAsync(WebhookDelivery delivery, WebhookEndpoint? endpoint, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var at = time.GetUtcNow();
        int? status = null;
        string? error = null;
        if (endpoint is null || endpoint.DeletedAt is not null || !endpoint.Enabled)
        {
            error = "the endpoint was deleted or turned off";
        }
        else
        {
            (status, error) = await PostAsync(delivery, endpoint, at, ct).ConfigureAwait(false);
        }
        delivery.Attempts++;
        delivery.LastStatusCode = status;
        delivery.LastError = error is null ? null : error.Length <= 500 ? error : error[..500];
        var attempts = JsonSerializer.Deserialize<List<WebhookAttempt>>(delivery.AttemptsJson, ApiJson.Options) ?? [];
        attempts.Add(new WebhookAttempt(at, status, delivery.LastError, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1)));
        delivery.AttemptsJson = JsonSerializer.Serialize(attempts, ApiJson.Options);
        if (error is null)
        {
            delivery.Status = WebhookStatus.Delivered;
            delivery.DeliveredAt = time.GetUtcNow();
            return;
        }
        if (delivery.Attempts >= settings.MaxAttempts || endpoint is null || endpoint.DeletedAt is not null || !endpoint.Enabled)
        {
            delivery.Status = WebhookStatus.Dead;
            LogDead(logger, delivery.Id, delivery.Attempts, delivery.LastError!);
            return;
        }
        delivery.Status = WebhookStatus.Retrying;
        var delay = settings.RetryBaseMilliseconds * Math.Pow(2, delivery.Attempts - 1) * (0.8 + Random.Shared.NextDouble() * 0.4);
        delivery.NextAttemptAt = time.GetUtcNow().AddMilliseconds(Math.Min(delay, TimeSpan.FromDays(1).TotalMilliseconds));
    }

    private async Task<(int? Status, string? Error)> PostAsync(WebhookDelivery delivery, WebhookEndpoint endpoint, DateTimeOffset at, CancellationToken ct)
    {
        var url = new Uri(endpoint.Url);
        var vetted = await OutboundHttp.VetAsync(url, settings.NetworkAllowList, ct, "url", "called").ConfigureAwait(false);
        if (!vetted.IsSuccess)
        {
            return (null, (vetted.Error!.Details is { Count: > 0 } why ? why[0].Message : vetted.Error.Message));
        }
        var secret = Encoding.UTF8.GetString(protector.Unprotect(endpoint.SecretProtected, endpoint.Id.ToByteArray()));
        using var handler = OutboundHttp.Handler(vetted.Value, TimeSpan.FromSeconds(settings.TimeoutSeconds));
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds) };
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(delivery.PayloadJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(secret, at.ToUnixTimeSeconds(), delivery.PayloadJson));
        request.Headers.TryAddWithoutValidation("Astralytiq-Event-Id", delivery.EventId.ToString());
        request.Headers.TryAddWithoutValidation("Astralytiq-Event-Type", delivery.EventType);
        request.Headers.TryAddWithoutValidation("Astralytiq-Delivery-Id", delivery.Id.ToString());
        request.Headers.UserAgent.ParseAdd("Astralytiq-Webhooks/1.0");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 300 ? (code, null) : (code, $"the endpoint answered HTTP {code}" + (code is >= 300 and < 400 ? " (redirects are not followed)" : string.Empty));
        }
        catch (HttpRequestException ex)
        {
            return (null, "could not connect: " + ex.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {settings.TimeoutSeconds} s");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} dead-lettered after {Attempts} attempts: {Error}")]
    private static partial void LogDead(ILogger logger, Guid deliveryId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A webhook sending round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
