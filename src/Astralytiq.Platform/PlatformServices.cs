using Astralytiq.Platform.Auditing;
using Astralytiq.Platform.Email;
using Astralytiq.Platform.Events;
using Astralytiq.Platform.Idempotency;
using Astralytiq.Platform.Jobs;
using Astralytiq.Platform.RateLimiting;
using Astralytiq.Platform.Storage;
using Astralytiq.Platform.Telemetry;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Astralytiq.Platform;

/// <summary>The kernel's public surface: register it, then put it in the pipeline.</summary>
public static class PlatformServices
{
    /// <summary>Largest JSON request body, unless an endpoint (uploads) raises it.</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    public static IServiceCollection AddPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = PlatformOptions.From(configuration);
        Directory.CreateDirectory(options.DataDir);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddPlatformTelemetry(configuration);
        services.AddHttpContextAccessor();
        // No "Server: Kestrel" banner; Kestrel's own refusals (URL or headers too long, ...) get the error envelope.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseServerErrorEnvelope(TimeProvider.System));
        });
        services.AddScoped<ITenantContext, TenantContext>();
        services.AddSingleton<PostgresTenantSessionInterceptor>();

        services.AddSingleton<KeyRing>();
        services.AddSingleton<KeyWrapper>();
        services.AddScoped<TenantEncryptor>();
        services.AddSingleton<IBlobStorage, LocalBlobStorage>();
        services.AddScoped<TenantFileCipher>();

        var plans = new Quotas.PlanSettings();
        configuration.GetSection("Astralytiq:Plans").Bind(plans.Plans);
        configuration.GetSection("Astralytiq:PlanFeatures").Bind(plans.Features);
        configuration.GetSection("Astralytiq:PlanPrices").Bind(plans.Prices);
        plans.Currency = configuration["Astralytiq:PlanCurrency"] ?? plans.Currency;
        plans.DefaultPlan = configuration["Astralytiq:DefaultPlan"] ?? plans.DefaultPlan;
        services.AddSingleton(plans);
        services.AddScoped<Quotas.QuotaService>();
        services.AddScoped<Quotas.IQuotas>(sp => sp.GetRequiredService<Quotas.QuotaService>());
        services.AddSingleton(SettingsBinder.Bind<Quotas.MeteringSettings>(configuration, "Astralytiq:Metering"));
        services.AddSingleton<Quotas.HotMeter>();
        services.AddScoped<Quotas.IUsageMeter, Quotas.UsageMeter>();
        services.AddScoped<Quotas.UsageAnalytics>();
        services.AddScoped<Quotas.IUsageTotals>(sp => sp.GetRequiredService<Quotas.UsageAnalytics>());
        services.AddScoped(sp => new Quotas.UsageReports(sp.GetRequiredService<Quotas.IQuotas>(), sp.GetRequiredService<Quotas.UsageAnalytics>(), sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<Jobs.IStartupTask, Quotas.UsageDayBackfill>();
        services.AddSingleton<Quotas.HotMeterWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<Quotas.HotMeterWriter>());
        services.AddSingleton<Quotas.UsageReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<Quotas.UsageReconciler>());
        services.AddScoped<Tenancy.IPlanFeatures, Tenancy.PlanFeatures>();
        services.AddSingleton<Notifications.IUserPush, Notifications.HubUserPush>();
        services.AddScoped<Notifications.ILegacyInbox, Notifications.LegacyInbox>();
        // Live pushes (the inbox here; modules add hubs of their own): JSON as the API writes it.
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions = new JsonSerializerOptions(ApiJson.Options));

        var smtp = SettingsBinder.Bind<SmtpSettings>(configuration, "Astralytiq:Email:Smtp");
        services.AddSingleton(smtp);
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            services.TryAddSingleton<IEmailSender, PickupFolderEmailSender>();
        }
        else
        {
            services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        }

        // The kernel's own tables, background jobs and the outbox of every module.
        services.AddModuleDbContext<PlatformDbContext, PlatformSqliteDbContext, PlatformPostgresDbContext>(configuration, PlatformDbContext.Module);
        var jobs = SettingsBinder.Bind<JobSettings>(configuration, "Astralytiq:Jobs");
        services.AddSingleton(jobs);
        services.AddSingleton<JobSignal>();
        services.AddSingleton(new JobRunnerStatus(TimeProvider.System));
        services.AddScoped<IJobScheduler, JobScheduler>();
        services.AddScoped<IJobInventory, JobInventory>();
        // Before the job runner and the outbox: housekeeping after a crash finishes before new work starts.
        services.AddHostedService<StartupTaskRunner>();
        if (jobs.Enabled)
        {
            services.AddHostedService<JobRunner>();
        }
        services.AddSingleton(SettingsBinder.Bind<Scheduling.ScheduleSettings>(configuration, "Astralytiq:Schedules"));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton(SettingsBinder.Bind<OutboxSettings>(configuration, "Astralytiq:Events"));
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<OutboxProtector>();
        services.AddHostedService<OutboxDispatcher>();
        services.AddIntegrationEventHandler<EmailRequested, SendRequestedEmail>();

        services.AddHybridCache();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        // Binding failures (bad JSON, wrong types) throw, so the one exception handler describes them.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddSingleton<Errors.IExceptionClassifier, Errors.DependencyDownClassifier>();
        services.AddProblemDetails();

        var tokens = SettingsBinder.Bind<TokenSettings>(configuration, "Astralytiq:Tokens");
        services.AddSingleton(tokens);
        services.AddPlatformAuthentication(tokens);
        services.AddAuthorizationBuilder();
        services.AddSingleton<IAuthorizationHandler, PermissionAuthorizationHandler>();
        services.Configure<AuthorizationOptions>(PermissionEndpointExtensions.AddPermissionPolicies);
        services.AddPlatformRateLimiting(configuration);

        Health.HealthSetup.AddPlatformHealth(services, configuration);
        services.AddScoped<Alerting.IAlertMetric, Alerting.JobFailuresMetric>();
        services.AddScoped<Alerting.IAlertMetric, Alerting.QueueAgeMetric>();
        services.AddScoped<Alerting.IAlertMetric, Alerting.ErrorRateMetric>();
        services.AddScoped<Alerting.IAlertMetric, Alerting.LatencyP99Metric>();
        services.AddScoped<Alerting.IAlertMetric, Alerting.QuotaUseMetric>();
        services.AddScoped<Quotas.HistoryRetention>();

        services.AddPlatformOpenApi();
        return services;
    }

    private static void AddPlatformAuthentication(this IServiceCollection services, TokenSettings tokens)
    {
        services.AddAuthentication(AuthSchemes.Default)
            .AddPolicyScheme(AuthSchemes.Default, "Bearer token or API key", o =>
                o.ForwardDefaultSelector = ctx => ctx.Request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader) ? AuthSchemes.ApiKey : AuthSchemes.Bearer)
            .AddJwtBearer(AuthSchemes.Bearer, _ => { });
        services.AddSingleton(sp => new CachingTokenHandler(sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<JwtBearerOptions>(AuthSchemes.Bearer).Configure<KeyRing, TimeProvider, CachingTokenHandler>((o, keyRing, time, handler) =>
        {
            o.MapInboundClaims = false;
            o.TokenHandlers.Clear();
            o.TokenHandlers.Add(handler);
            o.TimeProvider = time;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = tokens.Issuer,
                ValidAudience = tokens.Audience,
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                NameClaimType = TokenClaims.Subject,
                RoleClaimType = TokenClaims.Role,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                IssuerSigningKeyResolver = (_, _, kid, _) =>
                    keyRing.VerificationKeys.Where(k => kid is null || k.KeyId == kid).Select(k => (SecurityKey)k.Key),
                // Lifetime against the platform clock, so tests can move time.
                LifetimeValidator = (notBefore, expires, _, _) =>
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    var skew = TimeSpan.FromSeconds(30);
                    return expires is { } exp && exp > now - skew && (notBefore is null || notBefore <= now + skew);
                },
            };
            o.Events = new JwtBearerEvents
            {
                // WebSockets cannot carry an Authorization header: hub connections send the token as access_token.
                OnMessageReceived = ctx =>
                {
                    if (ctx.Request.Path.StartsWithSegments("/hubs", StringComparison.Ordinal) && ctx.Request.Query["access_token"] is { Count: 1 } token)
                    {
                        ctx.Token = token.ToString();
                    }
                    return Task.CompletedTask;
                },
                OnTokenValidated = PrincipalBinding.OnTokenValidatedAsync,
                OnChallenge = async ctx =>
                {
                    ctx.HandleResponse();
                    ctx.Response.Headers.WWWAuthenticate = "Bearer";
                    var message = ctx.AuthenticateFailure is null && string.IsNullOrEmpty(ctx.Request.Headers.Authorization)
                        ? "Authentication is required"
                        : "The access token is invalid or expired";
                    await ErrorWriter.WriteAsync(ctx.HttpContext, 401, ErrorCodes.Unauthorized, message).ConfigureAwait(false);
                },
                OnForbidden = ctx => ErrorWriter.WriteAsync(ctx.HttpContext, 403, ErrorCodes.Forbidden, "You do not have permission to do this"),
            };
        });
    }

    /// <param name="beforeRouting">Host middleware that must run after the security headers but before routing (static files of the web client).</param>
    public static WebApplication UsePlatform(this WebApplication app, Action<IApplicationBuilder>? beforeRouting = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseExceptionHandler();
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size
                && context.Request.Path.StartsWithSegments("/api"))
            {
                size.MaxRequestBodySize = DefaultMaxRequestBodyBytes;
            }
            return next(context);
        });
        app.UseStatusCodePages(StatusCodeEnvelope.WriteAsync);
        beforeRouting?.Invoke(app);
        app.UseRouting();
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimitMetadata>() is { } limit
                && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = limit.Bytes;
            }
            return next(context);
        });
        app.UseMiddleware<DeprecationMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<RequestTelemetryMiddleware>();
        app.UseMiddleware<RateLimiting.PlanRateMiddleware>();
        app.UseRateLimiter();
        app.UseMiddleware<Quotas.ApiCallMeteringMiddleware>();
        app.UseMiddleware<RequestAuditMiddleware>();
        app.UseAuthorization();
        app.UseMiddleware<Health.ModuleGateMiddleware>();
        app.UseMiddleware<TenantFeatureMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    /// <summary>Prometheus metrics at <c>Astralytiq:Telemetry:Metrics:Path</c> (<c>/metrics</c>), outside the API prefix.</summary>
    public static IEndpointRouteBuilder MapPlatformMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapMetrics();
        Health.PlatformHealth.ForModule(routes.MapHub<Notifications.NotificationHub>(Notifications.NotificationHub.Path), PlatformDbContext.Module);
        return routes;
    }

    /// <summary>The kernel's own endpoints (background jobs), under the host's API prefix.</summary>
    public static RouteGroupBuilder MapPlatformEndpoints(this IEndpointRouteBuilder routes)
    {
        Quotas.UsageEndpoints.Map(routes);
        Health.OperatorMetricsEndpoints.Map(routes);
        return JobEndpoints.Map(routes);
    }
}

/// <summary>Binds a validated access token to the tenant context, after checking its session is still live.</summary>
internal static class PrincipalBinding
{
    public static async Task OnTokenValidatedAsync(TokenValidatedContext ctx)
    {
        var principal = ctx.Principal!;
        if (!Guid.TryParse(principal.FindFirst(TokenClaims.Subject)?.Value, out var userId)
            || !Guid.TryParse(principal.FindFirst(TokenClaims.SessionId)?.Value, out var sessionId)
            || principal.FindFirst(TokenClaims.SecurityStamp)?.Value is not { } stamp)
        {
            ctx.Fail("The token lacks required claims");
            return;
        }
        var validator = ctx.HttpContext.RequestServices.GetRequiredService<ISessionValidator>();
        var state = await validator.ValidateAsync(userId, sessionId, stamp, ctx.HttpContext.RequestAborted).ConfigureAwait(false);
        if (state is null)
        {
            ctx.Fail("The session has ended");
            return;
        }
        ctx.HttpContext.RequestServices.GetRequiredService<ITenantContext>()
            .SetPrincipal(state.TenantId, state.UserId, state.Email, state.Role, sessionId, apiKeyScopes: null);
    }
}

/// <summary>Gives bodiless error statuses (404 for unknown routes, 405, 415, ...) the envelope.</summary>
internal static class StatusCodeEnvelope
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var (code, message) = http.Response.StatusCode switch
        {
            400 => (ErrorCodes.BadRequest, "The request is malformed"),
            401 => (ErrorCodes.Unauthorized, "Authentication is required"),
            403 => (ErrorCodes.Forbidden, "You do not have permission to do this"),
            404 => (ErrorCodes.NotFound, "No such resource"),
            405 => (ErrorCodes.MethodNotAllowed, $"{http.Request.Method} is not allowed at this address"),
            413 => (ErrorCodes.PayloadTooLarge, ApiExceptionHandler.TooLarge(http)),
            415 => (ErrorCodes.UnsupportedMediaType, "Unsupported content type; send application/json"),
            _ => (http.Response.StatusCode >= 500 ? ErrorCodes.Internal : ErrorCodes.BadRequest, "The request failed"),
        };
        var status = http.Response.StatusCode;
        http.Response.StatusCode = 200; // WriteAsync sets it again; HasStarted is still false here
        return ErrorWriter.WriteAsync(http, status, code, message);
    }
}
