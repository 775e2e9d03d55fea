namespace Astralytiq.Platform.Events;

/// <summary>A fact one module tells others about. Published through its DbContext's outbox, in the same transaction as the change.</summary>
public interface IIntegrationEvent;

/// <summary>An event whose payload holds a secret (a reset link): encrypted in the outbox and erased once delivered.</summary>
public interface ISensitiveIntegrationEvent : IIntegrationEvent;

/// <summary>Reacts to an event. Delivery is at least once: use <paramref name="messageId"/> to ignore repeats.</summary>
public interface IIntegrationEventHandler<in TEvent>
    where TEvent : IIntegrationEvent
{
    Task HandleAsync(TEvent integrationEvent, Guid messageId, CancellationToken cancellationToken);
}

/// <summary>An outbox row: lives in each module's own database, written with the module's change.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public Guid? TenantId { get; set; }

    public string Type { get; set; } = string.Empty;

    public string Payload { get; set; } = string.Empty;

    public bool Encrypted { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The W3C <c>traceparent</c> of the work that published the event: its delivery joins that trace.</summary>
    public string? TraceParent { get; set; }
}

/// <summary>Maps event type names to types and handlers; filled by <see cref="OutboxRegistration.AddIntegrationEventHandler{TEvent, THandler}"/>.</summary>
public sealed class IntegrationEventRegistry
{
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    internal void Register(Type type) => _types[type.FullName!] = type;

    internal Type? Resolve(string name) => _types.GetValueOrDefault(name);
}

public static class OutboxRegistration
{
    public static IServiceCollection AddIntegrationEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IIntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        services.AddScoped<IIntegrationEventHandler<TEvent>, THandler>();
        return services.AddIntegrationEvent<TEvent>();
    }

    /// <summary>
    /// Declares an event a module publishes, so the outbox can deliver it to however many handlers exist,
    /// none included (a published event nobody handles yet is delivered to no one, not retried forever).
    /// </summary>
    public static IServiceCollection AddIntegrationEvent<TEvent>(this IServiceCollection services)
        where TEvent : IIntegrationEvent
    {
        var registry = services.Select(d => d.ImplementationInstance).OfType<IntegrationEventRegistry>().FirstOrDefault();
        if (registry is null)
        {
            registry = new IntegrationEventRegistry();
            services.AddSingleton(registry);
        }
        registry.Register(typeof(TEvent));
        return services;
    }
}

/// <summary>Wakes a polling worker early: a pulse ends its current wait.</summary>
public class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Pulse() => _semaphore.Release();

    internal Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);

    public void Dispose()
    {
        _semaphore.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class OutboxSettings
{
    /// <summary>
    /// How often an idle dispatcher looks for due messages: rows written on this node wake it at once, so the poll
    /// finds other nodes' rows and retries that fell due.
    /// </summary>
    [Range(10, 600_000)]
    public int PollMilliseconds { get; set; } = 500;
}

/// <summary>Wakes the dispatcher when a transaction wrote outbox rows.</summary>
public sealed class OutboxSignal : WakeSignal;

/// <summary>Delivers every module's outbox: claims due rows (one node wins each), runs the handlers, retries failures with backoff.</summary>
internal sealed partial class OutboxDispatcher(
    IServiceProvider services,
    IEnumerable<IModuleDatabase> databases,
    OutboxSignal signal,
    OutboxSettings settings,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public const int MaxAttempts = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            foreach (var database in databases)
            {
                try
                {
                    delivered += await database.DispatchOutboxAsync(services, this, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogDispatchError(logger, ex, database.Module);
                }
            }
            if (delivered == 0)
            {
                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(settings.PollMilliseconds), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    internal async Task<int> DispatchAsync(ModuleDbContext db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        List<OutboxMessage> due;
        // Polling is not traced (an idle dispatcher asks every module's outbox twice a second); deliveries are.
        using (OpenTelemetry.SuppressInstrumentationScope.Begin())
        {
            due = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.DispatchedAt == null && m.NextAttemptAt <= now && m.Attempts < MaxAttempts && (m.LockedUntil == null || m.LockedUntil < now))
                .OrderBy(m => m.OccurredAt).Take(50).ToListAsync(ct).ConfigureAwait(false);
        }
        var delivered = 0;
        foreach (var message in due)
        {
            var lease = now.AddMinutes(1);
            var claimed = await db.Set<OutboxMessage>()
                .Where(m => m.Id == message.Id && m.DispatchedAt == null && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.LockedUntil, lease), ct).ConfigureAwait(false);
            if (claimed != 1)
            {
                continue;
            }
            System.Diagnostics.ActivityContext.TryParse(message.TraceParent, null, out var parent);
            using var activity = Telemetry.PlatformMetrics.Source.StartActivity("event " + ShortName(message.Type), System.Diagnostics.ActivityKind.Consumer, parent);
            activity?.SetTag("messaging.message.id", message.Id.ToString()).SetTag("astralytiq.event.type", message.Type)
                .SetTag("astralytiq.tenant.id", message.TenantId?.ToString());
            var eventTag = new KeyValuePair<string, object?>("astralytiq.event.type", ShortName(message.Type));
            try
            {
                await DeliverAsync(message, ct).ConfigureAwait(false);
                var done = time.GetUtcNow();
                Telemetry.PlatformMetrics.OutboxLag.Record(Math.Max(0, (done - message.OccurredAt).TotalSeconds), eventTag,
                    new KeyValuePair<string, object?>("astralytiq.event.outcome", "delivered"));
                await db.Set<OutboxMessage>().Where(m => m.Id == message.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.DispatchedAt, done).SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                        .SetProperty(m => m.Payload, m => m.Encrypted ? string.Empty : m.Payload), ct).ConfigureAwait(false);
                delivered++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var attempts = message.Attempts + 1;
                var next = time.GetUtcNow().AddSeconds(Math.Min(600, Math.Pow(2, attempts)));
                var error = $"{ex.GetType().Name}: {ex.Message}";
                await db.Set<OutboxMessage>().Where(m => m.Id == message.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.Attempts, attempts).SetProperty(m => m.NextAttemptAt, next)
                        .SetProperty(m => m.LastError, error.Length > 2000 ? error[..2000] : error)
                        .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), ct).ConfigureAwait(false);
                LogDeliveryFailed(logger, ex, message.Type, message.Id, attempts);
                Telemetry.PlatformMetrics.OutboxLag.Record(Math.Max(0, (time.GetUtcNow() - message.OccurredAt).TotalSeconds), eventTag,
                    new KeyValuePair<string, object?>("astralytiq.event.outcome", "failed"));
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "delivery failed");
                activity?.AddException(ex);
            }
        }
        return delivered;
    }

    /// <summary>An event's type without its namespace (EmailRequested), for span names and metric labels.</summary>
    internal static string ShortName(string type) => type[(type.LastIndexOf('.') + 1)..];

    private async Task DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        var registry = services.GetRequiredService<IntegrationEventRegistry>();
        var type = registry.Resolve(message.Type) ?? throw new InvalidOperationException($"No handler registered for {message.Type}");
        var json = message.Encrypted ? services.GetRequiredService<OutboxProtector>().Unprotect(message.Payload, message.Id) : message.Payload;
        var integrationEvent = JsonSerializer.Deserialize(json, type, Contracts.ApiJson.Options)!;
        await using var scope = services.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        using var tenantScope = message.TenantId is { } t ? tenant.BeginTenantScope(t) : tenant.BeginSystemScope();
        var handlerType = typeof(IIntegrationEventHandler<>).MakeGenericType(type);
        foreach (var handler in scope.ServiceProvider.GetServices(handlerType))
        {
            var task = (Task)handlerType.GetMethod("HandleAsync")!.Invoke(handler, [integrationEvent, message.Id, ct])!;
            await task.ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch for module {Module} failed")]
    private static partial void LogDispatchError(ILogger logger, Exception exception, string module);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering {Type} {MessageId} failed (attempt {Attempt})")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string type, Guid messageId, int attempt);
}

/// <summary>Encrypts sensitive outbox payloads with the key ring's master key, bound to the message id.</summary>
public sealed class OutboxProtector(SecretProtector protector)
{
    public string Protect(string json, Guid messageId) =>
        protector.Protect(System.Text.Encoding.UTF8.GetBytes(json), messageId.ToByteArray());

    public string Unprotect(string payload, Guid messageId) =>
        System.Text.Encoding.UTF8.GetString(protector.Unprotect(payload, messageId.ToByteArray()));
}
