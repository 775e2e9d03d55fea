using System.Text.RegularExpressions;
using Astralytiq.Platform.Tenancy;
using Microsoft.Extensions.Hosting;

namespace Astralytiq.Billing.Plans;

/// <summary>
/// The stored plan catalog: every version of every plan. Configuration seeds version 1 of a plan the store does not have;
/// an operator's save of an existing plan adds a version. What is stored is loaded into the kernel's
/// <see cref="PlanSettings"/>, which quotas, features and rates read.
/// </summary>
internal sealed partial class PlanStore(BillingDbContext db, PlanSettings catalog, ITenantContext context, IAuditLog audit, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds the configured plans the store lacks, then loads every stored version into the catalog.</summary>
    public async Task SeedAndLoadAsync(CancellationToken ct)
    {
        using var system = context.BeginSystemScope();
        var stored = await db.Plans.AsNoTracking().Select(p => p.Code).Distinct().ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var seed in catalog.Seed().Where(s => !stored.Contains(s.Code, StringComparer.OrdinalIgnoreCase)))
        {
            db.Plans.Add(ToStored(seed, now, null));
        }
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another node seeded the same plan first: what it stored is loaded below.
            db.ChangeTracker.Clear();
        }
        await LoadAsync(ct).ConfigureAwait(false);
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        using var system = context.BeginSystemScope();
        var rows = await db.Plans.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        catalog.Load(rows.Select(ToDefinition));
    }

    public async Task<Result<PlanDefinition>> CreateAsync(SavePlanRequest? request, CancellationToken ct)
    {
        var code = request?.Code?.Trim().ToLowerInvariant() ?? string.Empty;
        var errors = new FieldErrors();
        if (!CodePattern().IsMatch(code))
        {
            errors.Add("code", "code must be 2 to 40 lowercase letters, digits, - or _, starting with a letter");
        }
        var plan = Validate(request, code, 1, null, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        using var system = context.BeginSystemScope();
        if (await db.Plans.AnyAsync(p => p.Code == code, ct).ConfigureAwait(false))
        {
            return new ConflictError($"A plan with the code {code} exists; save it to make a new version", [new ErrorDetail("code", "is taken")]);
        }
        return await SaveAsync(plan!, "plan.created", ct).ConfigureAwait(false);
    }

    public async Task<Result<PlanDefinition>> UpdateAsync(string code, SavePlanRequest? request, CancellationToken ct)
    {
        code = code.Trim().ToLowerInvariant();
        using var system = context.BeginSystemScope();
        var latest = await db.Plans.AsNoTracking().Where(p => p.Code == code).OrderByDescending(p => p.Version).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (latest is null)
        {
            return new NotFoundError("Plan");
        }
        var errors = new FieldErrors();
        if (request?.Code is { } asked && !string.Equals(asked.Trim(), code, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("code", "a plan's code cannot change; create a new plan instead");
        }
        var plan = Validate(request, code, latest.Version + 1, ToDefinition(latest), errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        return await SaveAsync(plan!, "plan.versioned", ct).ConfigureAwait(false);
    }

    private async Task<Result<PlanDefinition>> SaveAsync(PlanDefinition plan, string action, CancellationToken ct)
    {
        db.Plans.Add(ToStored(plan, time.GetUtcNow(), context.UserId));
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return new ConflictError("The plan was saved by someone else at the same moment; load it again and retry");
        }
        await LoadAsync(ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord(action, AuditOutcome.Success, "plan", $"{plan.Code}@{plan.Version}", new Dictionary<string, string>
        {
            ["price_cents"] = plan.PriceCents.ToString(CultureInfo.InvariantCulture),
            ["archived"] = plan.Archived ? "true" : "false",
        })
        {
            TenantId = Guid.Empty,
            ActorId = context.UserId,
            ActorEmail = context.Email,
        }, ct).ConfigureAwait(false);
        return plan;
    }

    /// <summary>The request as a plan version; fields left out keep <paramref name="previous"/>'s values (a new plan: the defaults).</summary>
    private PlanDefinition? Validate(SavePlanRequest? request, string code, int version, PlanDefinition? previous, FieldErrors errors)
    {
        if (request is null)
        {
            errors.Add("body", "a plan is required");
            return null;
        }
        var name = request.Name?.Trim() ?? previous?.Name ?? (code.Length > 0 ? PlanSettings.Title(code) : string.Empty);
        if (name.Length is 0 or > 100)
        {
            errors.Add("name", "name must be 1 to 100 characters");
        }
        var price = request.MonthlyPriceCents ?? previous?.PriceCents ?? 0;
        if (price is < 0 or > 100_000_000)
        {
            errors.Add("monthly_price_cents", "monthly_price_cents must be between 0 and 100,000,000 (a million a month)");
        }
        var currency = (request.Currency?.Trim() ?? previous?.Currency ?? catalog.Currency).ToUpperInvariant();
        if (!CurrencyPattern().IsMatch(currency))
        {
            errors.Add("currency", "currency must be a three-letter ISO 4217 code such as USD or EUR");
        }
        var limits = request.Limits is null ? new Dictionary<string, long>(previous?.Limits ?? new Dictionary<string, long>(), StringComparer.Ordinal) : [];
        foreach (var (metric, limit) in request.Limits ?? new Dictionary<string, long>())
        {
            if (!QuotaMetrics.Limitable.Contains(metric))
            {
                errors.Add($"limits.{metric}", "no such limit; limits are " + string.Join(", ", QuotaMetrics.Limitable));
            }
            else if (limit < 0)
            {
                errors.Add($"limits.{metric}", "a limit cannot be negative (leave it out for no limit)");
            }
            else
            {
                limits[metric] = limit;
            }
        }
        List<string>? features = request.Features is null ? previous?.Features?.ToList() : [];
        if (request.Features is not null)
        {
            foreach (var feature in request.Features)
            {
                if (feature == "*")
                {
                    features = null;
                    break;
                }
                var known = TenantFeatures.All.FirstOrDefault(f => string.Equals(f, feature?.Trim(), StringComparison.OrdinalIgnoreCase));
                if (known is null)
                {
                    errors.Add("features", $"no such feature: {feature}; features are " + string.Join(", ", TenantFeatures.All));
                }
                else if (!features!.Contains(known))
                {
                    features.Add(known);
                }
            }
        }
        var overage = request.Overage is null
            ? new Dictionary<string, PlanOverage>(previous?.Overage ?? new Dictionary<string, PlanOverage>(), StringComparer.Ordinal)
            : new Dictionary<string, PlanOverage>(StringComparer.Ordinal);
        foreach (var line in request.Overage ?? [])
        {
            var key = $"overage.{line.Metric}";
            if (!QuotaMetrics.Monthly.Contains(line.Metric))
            {
                errors.Add(key, "overage is priced for monthly meters only: " + string.Join(", ", QuotaMetrics.Monthly));
            }
            else if (line.Included < 0 || line.Cents < 0 || line.Per < 1 || line.Cents > 100_000_000 || line.Per > 1_000_000_000)
            {
                errors.Add(key, "included and cents must not be negative, per must be between 1 and 1,000,000,000");
            }
            else if (!overage.TryAdd(line.Metric, new PlanOverage(line.Included, line.Cents, line.Per)))
            {
                errors.Add(key, "the meter is priced twice");
            }
        }
        var trialDays = request.TrialDays ?? previous?.TrialDays ?? 0;
        if (trialDays is < 0 or > 365)
        {
            errors.Add("trial_days", "trial_days must be between 0 and 365");
        }
        return new PlanDefinition(code, version, name, price, currency, limits, features, overage, trialDays,
            request.Public ?? previous?.Public ?? true, request.Archived ?? false);
    }

    private static StoredPlan ToStored(PlanDefinition plan, DateTimeOffset now, Guid? by) => new()
    {
        Id = Guid.CreateVersion7(now),
        Code = plan.Code,
        Version = plan.Version,
        Name = plan.Name,
        PriceCents = plan.PriceCents,
        Currency = plan.Currency,
        LimitsJson = JsonSerializer.Serialize(new SortedDictionary<string, long>(plan.Limits.ToDictionary(), StringComparer.Ordinal), Json),
        Features = plan.Features is null ? null : string.Join(',', plan.Features),
        OverageJson = JsonSerializer.Serialize(new SortedDictionary<string, PlanOverage>(plan.Overage.ToDictionary(), StringComparer.Ordinal), Json),
        TrialDays = plan.TrialDays,
        Public = plan.Public,
        Archived = plan.Archived,
        CreatedAt = now,
        CreatedBy = by,
    };

    internal static PlanDefinition ToDefinition(StoredPlan row) => new(
        row.Code, row.Version, row.Name, row.PriceCents, row.Currency,
        JsonSerializer.Deserialize<Dictionary<string, long>>(row.LimitsJson, Json) ?? [],
        row.Features is null ? null : row.Features.Split(',', StringSplitOptions.RemoveEmptyEntries),
        JsonSerializer.Deserialize<Dictionary<string, PlanOverage>>(row.OverageJson, Json) ?? [],
        row.TrialDays, row.Public, row.Archived);

    [GeneratedRegex("^[a-z][a-z0-9_-]{1,39}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}

/// <summary>Seeds and loads the plan catalog at startup.</summary>
internal sealed class PlanCatalogStartup(PlanStore store) : IStartupTask
{
    public Task RunAsync(CancellationToken cancellationToken) => store.SeedAndLoadAsync(cancellationToken);
}

/// <summary>Loads the catalog again every 30 seconds, so a version an operator saved on another node is known here too.</summary>
internal sealed partial class PlanCatalogRefresher(IServiceScopeFactory scopes, TimeProvider time, ILogger<PlanCatalogRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                using var scope = scopes.CreateScope();
                await scope.ServiceProvider.GetRequiredService<PlanStore>().LoadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && DependencyFaults.IsDependencyDown(ex))
            {
                LogRefreshFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The plan catalog could not be loaded; the plans loaded before stay in force")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
