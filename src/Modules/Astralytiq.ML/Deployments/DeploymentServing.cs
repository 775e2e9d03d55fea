using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Astralytiq.ML.Prediction;
using Astralytiq.Platform.Quotas;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Astralytiq.ML.Deployments;

/// <summary>A variant as served: the model and the version or alias it follows, its weight, whether it is a shadow.</summary>
internal sealed record LiveVariant(string Name, string Model, int? Version, string? Alias, double Weight, bool Shadow);

/// <summary>A deployment's revision as the serving path uses it.</summary>
internal sealed record LiveDeployment(Guid Id, Guid TenantId, string Name, int Revision, string Task, LiveVariant[] Variants, LiveVariant[] Shadows, double LogRate)
{
    public double[] Weights { get; } = [.. Variants.Select(v => v.Weight)];

    public static LiveDeployment From(MlDeployment d, double defaultLogRate)
    {
        var spec = DeploymentHandlers.Spec(d);
        return new LiveDeployment(d.Id, d.TenantId, d.Name, d.Revision, d.Task,
            [.. spec.Variants.Select(v => new LiveVariant(v.Name, v.Model, v.Version, v.Alias, v.Weight, false))],
            [.. (spec.Shadows ?? []).Select(s => new LiveVariant(s.Name, s.Model, s.Version, s.Alias, 0, true))],
            spec.LogSampleRate ?? defaultLogRate);
    }
}

/// <summary>
/// Deployments as served, by tenant and name, remembered for <see cref="Lifetime"/>: a change on this node replaces the
/// entry at once (the next request serves the new revision, requests under way finish on the old one); other nodes
/// pick it up within <see cref="Lifetime"/>.
/// </summary>
internal sealed class DeploymentDirectory(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<(Guid Tenant, string Name), (LiveDeployment Live, long Generation, long Until)> _entries = new();
    private readonly ConcurrentDictionary<Guid, long> _generations = new();

    public bool TryGet(Guid tenant, string name, out LiveDeployment live)
    {
        if (_entries.TryGetValue((tenant, name), out var e) && e.Generation == Generation(tenant) && e.Until > time.GetTimestamp())
        {
            live = e.Live;
            return true;
        }
        live = null!;
        return false;
    }

    public void Remember(Guid tenant, string name, LiveDeployment live, long generation)
    {
        if (_entries.Count > 20_000)
        {
            _entries.Clear();
        }
        _entries[(tenant, name)] = (live, generation, time.GetTimestamp() + (long)(Lifetime.TotalSeconds * time.TimestampFrequency));
    }

    public long Generation(Guid tenant) => _generations.TryGetValue(tenant, out var g) ? g : 0;

    public void Forget(Guid tenant) => _generations.AddOrUpdate(tenant, 1, (_, g) => g + 1);
}

/// <summary>How a request is given to a variant (P20).</summary>
internal static class VariantPicker
{
    /// <summary>The variant whose share of [0, 100) holds <paramref name="u"/> × 100 (shares in order, by weight); a 0 % variant is never picked.</summary>
    public static int Pick(IReadOnlyList<double> weights, double u)
    {
        var total = 0d;
        foreach (var w in weights)
        {
            total += w;
        }
        var point = u * total;
        var sum = 0d;
        var last = -1;
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }
            sum += weights[i];
            last = i;
            if (point < sum)
            {
                return i;
            }
        }
        return last;
    }

    /// <summary>A request key's fixed point in [0, 1) for this deployment: the same key always lands at the same point (SHA-256, so keys spread evenly).</summary>
    public static double Point(Guid deployment, string key)
    {
        var bytes = Encoding.UTF8.GetBytes(deployment.ToString("N") + "\n" + key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>Answers predictions through a deployment: picks the variant, scores, counts, logs, and copies the request to the shadows.</summary>
internal sealed class DeploymentServing(
    IServiceProvider services, ServingVersions versions, ModelArtifacts artifacts, IUsageMeter meter, MlSettings settings, PredictionLogWriter log,
    DeploymentDirectory directory, DeploymentMeter traffic, ShadowRunner shadows, ITenantContext tenant, TimeProvider time)
{
    public const string VariantHeader = "X-Astralytiq-Variant";
    public const string KeyHeader = "X-Request-Key";
    public const int MaxKeyLength = 200;

    public async Task<Result<LiveDeployment>> LiveAsync(string name, CancellationToken ct)
    {
        var tenantId = tenant.TenantId ?? Guid.Empty;
        if (directory.TryGet(tenantId, name, out var live))
        {
            return live;
        }
        var generation = directory.Generation(tenantId);
        var db = services.GetRequiredService<MlDbContext>();
        var d = Guid.TryParse(name, out var id)
            ? await db.Deployments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct).ConfigureAwait(false)
            : await db.Deployments.AsNoTracking().SingleOrDefaultAsync(x => x.Name == name, ct).ConfigureAwait(false);
        if (d is null)
        {
            return new NotFoundError("Deployment");
        }
        live = LiveDeployment.From(d, settings.PredictionLogSampleRate);
        directory.Remember(tenantId, name, live, generation);
        return live;
    }

    public async Task<Result<DeploymentPredictResponse>> PredictAsync(string name, DeploymentPredictRequest request, string? variantOverride, string? keyHeader, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var read = PredictionHandlers.Rows(request.Row, request.Rows, settings, explain: false);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }
        var key = request.Key ?? keyHeader;
        if (key is { Length: 0 or > MaxKeyLength })
        {
            return ValidationError.For("key", $"a request key is 1 to {MaxKeyLength} characters");
        }
        var found = await LiveAsync(name, ct).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var live = found.Value;
        LiveVariant variant;
        if (variantOverride is not null)
        {
            var named = live.Variants.Concat(live.Shadows).FirstOrDefault(v => v.Name == variantOverride);
            if (named is null)
            {
                return ValidationError.For("variant", $"the {VariantHeader} header names no variant of '{live.Name}'; it has {string.Join(", ", live.Variants.Concat(live.Shadows).Select(v => v.Name))}");
            }
            variant = named;
        }
        else
        {
            variant = live.Variants[VariantPicker.Pick(live.Weights, key is null ? Random.Shared.NextDouble() : VariantPicker.Point(live.Id, key))];
        }
        var rows = read.Value;
        var requestId = Guid.CreateVersion7(time.GetUtcNow());
        var answered = await AnswerAsync(live, variant, rows, key, requestId, watch, ct).ConfigureAwait(false);
        foreach (var shadow in live.Shadows)
        {
            if (shadow != variant)
            {
                shadows.Enqueue(new ShadowWork(live, shadow, rows, key, requestId));
            }
        }
        return answered;
    }

    private async Task<Result<DeploymentPredictResponse>> AnswerAsync(LiveDeployment live, LiveVariant variant, IReadOnlyList<JsonObject> rows, string? key, Guid requestId,
        Stopwatch watch, CancellationToken ct)
    {
        var version = await versions.FindAsync(variant.Model, variant.Version, variant.Alias, ct).ConfigureAwait(false);
        if (!version.IsSuccess)
        {
            return Failed(live, variant, rows.Count, watch, version.Error!);
        }
        var (m, v) = version.Value;
        var loaded = await artifacts.LoadAsync(v, ct).ConfigureAwait(false);
        if (!loaded.IsSuccess)
        {
            return Failed(live, variant, rows.Count, watch, loaded.Error!);
        }
        var taken = await meter.TakeAsync(QuotaMetrics.Predictions, rows.Count, ct).ConfigureAwait(false);
        if (!taken.IsSuccess)
        {
            return taken.Error!;
        }
        var made = PredictionHandlers.Score(loaded.Value, rows, explain: false, v.Seed);
        if (!made.IsSuccess)
        {
            meter.GiveBack(QuotaMetrics.Predictions, rows.Count);
            return Failed(live, variant, rows.Count, watch, made.Error!);
        }
        var elapsed = watch.Elapsed.TotalMilliseconds;
        Record(traffic, live, variant, rows.Count, elapsed, made.Value);
        MlTelemetry.Predicted(m.Id, rows.Count, elapsed);
        PredictionHandlers.Log(log, time, live.LogRate, m, v, rows, made.Value, elapsed, new PredictionHandlers.Origin(live.Id, variant.Name, variant.Shadow, key, requestId));
        return new DeploymentPredictResponse(live.Name, live.Revision, variant.Name, m.Id, m.Name, v.Version, v.Task, made.Value, Math.Round(elapsed, 3));
    }

    private Error Failed(LiveDeployment live, LiveVariant variant, int rows, Stopwatch watch, Error error)
    {
        traffic.Record(live.TenantId, live.Id, variant.Name, variant.Shadow, rows, failed: true, watch.Elapsed.TotalMilliseconds, null, null);
        return error;
    }

    /// <summary>Counts a variant's answered request: numbers for regression and forecasts, class labels otherwise.</summary>
    public static void Record(DeploymentMeter traffic, LiveDeployment live, LiveVariant variant, int rows, double elapsed, List<PredictionDto> predictions)
    {
        List<double>? values = null;
        List<string>? classes = null;
        foreach (var p in predictions)
        {
            if (p.Prediction is JsonValue value && value.TryGetValue<double>(out var number))
            {
                (values ??= []).Add(number);
            }
            else if (p.Prediction is JsonValue label && label.TryGetValue<string>(out var text))
            {
                (classes ??= []).Add(text);
            }
        }
        traffic.Record(live.TenantId, live.Id, variant.Name, variant.Shadow, rows, failed: false, elapsed, values, classes);
    }
}

internal sealed record ShadowWork(LiveDeployment Live, LiveVariant Variant, IReadOnlyList<JsonObject> Rows, string? Key, Guid RequestId);

/// <summary>
/// Scores the shadow copies of deployment requests in the background, in each request's tenant: counted and logged
/// like any variant's answers, never returned, and not counted against the plan's predictions (nobody receives them).
/// When more than <see cref="Capacity"/> copies wait, new ones are dropped and counted.
/// </summary>
internal sealed partial class ShadowRunner(IServiceScopeFactory scopes, DeploymentMeter traffic, PredictionLogWriter log, TimeProvider time, ILogger<ShadowRunner> logger)
    : BackgroundService
{
    public const int Capacity = 10_000;
    private readonly Channel<ShadowWork> _queue = Channel.CreateBounded<ShadowWork>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _pending;

    public void Enqueue(ShadowWork work)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _pending);
            MlTelemetry.ShadowsDropped.Add(1);
        }
    }

    /// <summary>Waits until every queued copy is scored (tests, and the metrics read of this node).</summary>
    public async Task IdleAsync(CancellationToken ct)
    {
        while (Volatile.Read(ref _pending) > 0)
        {
            await Task.Delay(5, ct).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await RunAsync(work, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException)
                {
                    LogFailed(logger, ex, work.Variant.Name, work.Live.Name);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: copies still queued are not scored.
        }
    }

    private async Task RunAsync(ShadowWork work, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(work.Live.TenantId);
        var version = await scope.ServiceProvider.GetRequiredService<ServingVersions>().FindAsync(work.Variant.Model, work.Variant.Version, work.Variant.Alias, ct).ConfigureAwait(false);
        Result<LoadedModel> loaded = version.IsSuccess
            ? await scope.ServiceProvider.GetRequiredService<ModelArtifacts>().LoadAsync(version.Value.Version, ct).ConfigureAwait(false)
            : version.Error!;
        Result<List<PredictionDto>> made = loaded.IsSuccess ? PredictionHandlers.Score(loaded.Value, work.Rows, explain: false, version.Value.Version.Seed) : loaded.Error!;
        if (!made.IsSuccess)
        {
            traffic.Record(work.Live.TenantId, work.Live.Id, work.Variant.Name, true, work.Rows.Count, failed: true, watch.Elapsed.TotalMilliseconds, null, null);
            return;
        }
        var elapsed = watch.Elapsed.TotalMilliseconds;
        DeploymentServing.Record(traffic, work.Live, work.Variant, work.Rows.Count, elapsed, made.Value);
        var (m, v) = version.Value;
        PredictionHandlers.Log(log, time, work.Live.LogRate, m, v, work.Rows, made.Value, elapsed, new PredictionHandlers.Origin(work.Live.Id, work.Variant.Name, true, work.Key, work.RequestId));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shadow variant {Variant} of deployment {Deployment} could not score a copy")]
    private static partial void LogFailed(ILogger logger, Exception exception, string variant, string deployment);
}
