using System.Diagnostics;
namespace Astralytiq.Platform.Health;

/// <summary>One check's outcome as readiness weighs it.</summary>
internal sealed record CheckOutcome(
    string Name,
    HealthStatus Status,
    IReadOnlyCollection<string> Tags,
    string? Description,
    TimeSpan Duration,
    IReadOnlyDictionary<string, object> Data)
{
    public bool IsCore => Tags.Contains(PlatformHealth.CoreTag);

    public string? Module => Tags.FirstOrDefault(t => t.StartsWith("module:", StringComparison.Ordinal))?["module:".Length..];

    public IEnumerable<string> Gates => Tags.Where(t => t.StartsWith("gates:", StringComparison.Ordinal)).Select(t => t["gates:".Length..]);

    public static IReadOnlyList<CheckOutcome> From(HealthReport report) =>
        [.. report.Entries.Select(e => new CheckOutcome(e.Key, e.Value.Status, e.Value.Tags.ToArray(), e.Value.Description, e.Value.Duration, e.Value.Data))];
}

/// <summary>What the checks add up to, and when they started (a <see cref="Stopwatch"/> timestamp).</summary>
internal sealed record ReadinessVerdict(
    HealthStatus Status,
    IReadOnlyList<CheckOutcome> Checks,
    IReadOnlyList<string> Failing,
    IReadOnlyDictionary<string, string> UnavailableModules,
    string? CoreFailure,
    long EvaluatedAt)
{
    public bool CoreDown => CoreFailure is not null;
}

/// <summary>
/// Readiness from checks: unhealthy only when a core check fails; degraded when any other check fails or
/// warns (the failing ones named); healthy otherwise. A module is unavailable while a check that gates it fails.
/// </summary>
internal static class ReadinessPolicy
{
    public static ReadinessVerdict Evaluate(IReadOnlyList<CheckOutcome> checks, long evaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var failing = checks.Where(c => c.Status != HealthStatus.Healthy).Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();
        var coreFailure = checks.Where(c => c.IsCore && c.Status == HealthStatus.Unhealthy).OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => $"{c.Name}: {c.Description}").FirstOrDefault();
        var unavailable = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var check in checks.Where(c => c.Status == HealthStatus.Unhealthy).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            foreach (var module in check.Gates)
            {
                unavailable.TryAdd(module, $"{check.Name}: {check.Description}");
            }
        }
        var status = coreFailure is not null ? HealthStatus.Unhealthy : failing.Length > 0 ? HealthStatus.Degraded : HealthStatus.Healthy;
        return new ReadinessVerdict(status, checks, failing, unavailable, coreFailure, evaluatedAt);
    }

    /// <summary>A verdict with some checks run again (the ones that gate modules), the others as they were.</summary>
    public static ReadinessVerdict Refresh(ReadinessVerdict previous, IReadOnlyList<CheckOutcome> fresh, long evaluatedAt)
    {
        var names = fresh.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return Evaluate([.. previous.Checks.Where(c => !names.Contains(c.Name)), .. fresh], evaluatedAt);
    }
}

/// <summary>
/// The last readiness verdict of this node, from the periodic health publisher and every <c>/health/ready</c>
/// call; module routes consult it. A module marked unavailable is checked again (its gating checks only,
/// one refresh at a time) once the verdict is a second old, so a recovered store serves again at once.
/// </summary>
internal sealed partial class ModuleAvailability(IServiceProvider services, ILogger<ModuleAvailability> logger)
{
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(1);
    private readonly Lock _refreshLock = new();
    private ReadinessVerdict? _verdict;
    private Task<ReadinessVerdict>? _refresh;

    public ReadinessVerdict? Current => Volatile.Read(ref _verdict);

    /// <summary>Takes a verdict unless a newer one (whose checks started later) is already in place.</summary>
    public void Update(ReadinessVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ReadinessVerdict? previous;
        do
        {
            previous = Volatile.Read(ref _verdict);
            if (previous is not null && previous.EvaluatedAt > verdict.EvaluatedAt)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _verdict, verdict, previous) != previous);
        foreach (var (module, reason) in verdict.UnavailableModules)
        {
            if (previous?.UnavailableModules.ContainsKey(module) != true)
            {
                LogModuleDown(logger, module, reason);
            }
        }
        foreach (var module in previous?.UnavailableModules.Keys ?? [])
        {
            if (!verdict.UnavailableModules.ContainsKey(module))
            {
                LogModuleBack(logger, module);
            }
        }
        if (verdict.CoreFailure != previous?.CoreFailure)
        {
            if (verdict.CoreDown)
            {
                LogCoreDown(logger, verdict.CoreFailure!);
            }
            else if (previous?.CoreDown == true)
            {
                LogCoreBack(logger);
            }
        }
    }

    /// <summary>Why the module cannot serve now, or null when it can (the usual case answers without waiting).</summary>
    public async ValueTask<Error?> CheckAsync(string module, CancellationToken cancellationToken)
    {
        var verdict = Current;
        if (verdict is null || (!verdict.CoreDown && !verdict.UnavailableModules.ContainsKey(module)))
        {
            return null;
        }
        if (Stopwatch.GetElapsedTime(verdict.EvaluatedAt) > RefreshAfter)
        {
            verdict = await RefreshAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return Unavailable(verdict, module);
    }

    internal static Error? Unavailable(ReadinessVerdict verdict, string module)
    {
        if (verdict.CoreDown)
        {
            return new UnavailableError("The platform cannot reach its database right now; nothing was changed. Try again shortly.");
        }
        return verdict.UnavailableModules.ContainsKey(module) ? UnavailableError.ForModule(module) : null;
    }

    private Task<ReadinessVerdict> RefreshAsync()
    {
        lock (_refreshLock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }
            return _refresh = Task.Run(async () =>
            {
                var previous = Current!;
                var started = Stopwatch.GetTimestamp();
                var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(
                    r => r.Tags.Contains(PlatformHealth.CoreTag) || r.Tags.Any(t => t.StartsWith("gates:", StringComparison.Ordinal))).ConfigureAwait(false);
                var verdict = ReadinessPolicy.Refresh(previous, CheckOutcome.From(report), started);
                Update(verdict);
                return Current ?? verdict;
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Module {Module} is unavailable: {Reason}; its routes answer 503 until it is back")]
    private static partial void LogModuleDown(ILogger logger, string module, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module} is available again")]
    private static partial void LogModuleBack(ILogger logger, string module);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The platform's core is down ({Reason}); every route answers 503 until it is back")]
    private static partial void LogCoreDown(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The platform's core is back")]
    private static partial void LogCoreBack(ILogger logger);
}

/// <summary>Keeps <see cref="ModuleAvailability"/> current between <c>/health/ready</c> calls (every <c>Astralytiq:Health:PeriodSeconds</c>).</summary>
internal sealed class ReadinessPublisher(ModuleAvailability availability) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        // Stamped with when the checks started: a slow round that began before a newer one never overwrites it.
        var started = Stopwatch.GetTimestamp() - (long)(report.TotalDuration.TotalSeconds * Stopwatch.Frequency);
        availability.Update(ReadinessPolicy.Evaluate(CheckOutcome.From(report), started));
        return Task.CompletedTask;
    }
}

/// <summary>Routes of an unavailable module answer 503 <c>MODULE_UNAVAILABLE</c> (with Retry-After) before any work; the others pass.</summary>
internal sealed class ModuleGateMiddleware(RequestDelegate next, ModuleAvailability availability)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ModuleEndpointMetadata>() is { } module
            && await availability.CheckAsync(module.Module, context.RequestAborted).ConfigureAwait(false) is { } error)
        {
            await new ApiError(error).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }
}
