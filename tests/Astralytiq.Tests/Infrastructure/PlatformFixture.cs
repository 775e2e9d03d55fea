using System.Text.RegularExpressions;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Astralytiq.Platform.Jobs;
using Astralytiq.Tests.Platform;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Trace;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A tenant created for a test: its Admin's signed-in client and credentials.</summary>
public sealed record TestTenant(AstralytiqClient Admin, UserResponse AdminUser, string AdminPassword)
{
    public Guid Id => AdminUser.TenantId;

    /// <summary>Sets one of the organisation's feature switches (public sharing is off for a new organisation).</summary>
    public async Task SwitchAsync(string feature, bool on) =>
        (await Admin.Tenant.UpdateAsync(new Astralytiq.Contracts.Tenancy.UpdateTenantRequest(null, null, null, null, new Dictionary<string, bool> { [feature] = on }))).EnsureSuccess();
}

/// <summary>
/// The real server on Kestrel at 127.0.0.1, with its own data directory, database and a real SMTP
/// server on loopback. Subclasses choose the database: SQLite always, PostgreSQL when configured.
/// Every fixture type is an assembly fixture (<c>Infrastructure/SharedHosts.cs</c>): one host per type for the
/// whole run, started by the first test that needs it and stopped when the run ends; tests share it and
/// isolate their data by making their own tenant.
/// </summary>
public abstract partial class PlatformFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private readonly Lock _startLock = new();
    private Task? _start;

    public string DataDir { get; protected init; } = Path.Combine(Path.GetTempPath(), "astralytiq-tests", Guid.NewGuid().ToString("N"));

    public SmtpCapture Smtp { get; } = new();

    /// <summary>Where the host's Twilio client sends text messages.</summary>
    public TwilioStandIn Twilio { get; } = new();

    /// <summary>Where the host's Stripe client sends its requests (Stripe is set up on every test host; tenants pay offline unless moved to it).</summary>
    public StripeStandIn Stripe { get; } = new();

    public abstract string Provider { get; }

    /// <summary>Why this fixture cannot run here, or null when it can.</summary>
    public virtual string? Unavailable => null;

    public IServiceProvider Services => Factory.Services;

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException(Unavailable ?? "The fixture has not started");

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    protected abstract Task<IReadOnlyDictionary<string, string?>> DatabaseSettingsAsync();

    /// <summary>Settings a fixture subclass wants on top of the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Nothing starts with the run: a host costs seconds, and a filtered run may not need it.</summary>
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Starts the host once, for whichever test asks first; every later call returns the same start.</summary>
    public Task StartAsync()
    {
        lock (_startLock)
        {
            return _start ??= Unavailable is null ? Task.Run(StartCoreAsync) : Task.CompletedTask;
        }
    }

    private async Task StartCoreAsync()
    {
        Directory.CreateDirectory(DataDir);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ASTRALYTIQ_DATA_DIR"] = DataDir,
            ["Astralytiq:DataDir"] = DataDir,
            ["Astralytiq:Email:Smtp:Host"] = "127.0.0.1",
            ["Astralytiq:Email:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Astralytiq:Email:Smtp:Security"] = "None",
            ["Astralytiq:Identity:PasswordHashIterations"] = "1000",
            ["Astralytiq:RateLimits:PerIp"] = "1000000",
            ["Astralytiq:RateLimits:PerUser"] = "1000000",
            ["Astralytiq:RateLimits:PerTenant"] = "1000000",
            ["Astralytiq:RateLimits:SensitivePerIp"] = "1000000",
            ["Astralytiq:Jobs:RetryBaseMilliseconds"] = "50",
            // Work queued here wakes the runner at once and a retry wakes it when due: the poll only finds work queued
            // elsewhere, so it need not hammer the database.
            ["Astralytiq:Jobs:PollMilliseconds"] = "1000",
            ["Astralytiq:Events:PollMilliseconds"] = "1000",
            // Uploads over 200 KB go through the background-job path, so tests reach it with small files.
            ["Astralytiq:Data:AsyncIngestBytes"] = "200000",
            ["Astralytiq:Data:SqlTimeoutSeconds"] = "3",
            // Transforms of more than 5,000 rows run as jobs, so tests reach that path with small data.
            ["Astralytiq:Data:AsyncTransformRows"] = "5000",
            // The pipeline and report schedulers are ticked by the tests themselves.
            ["Astralytiq:Schedules:TickSeconds"] = "3600",
            // Appends are compacted every fifth part, so tests reach compaction quickly.
            ["Astralytiq:Data:MaxVersionParts"] = "4",
            // Property tests make hundreds of datasets in one tenant: the free plan's limits are lifted here.
            ["Astralytiq:Plans:free:datasets"] = "1000000000",
            ["Astralytiq:Plans:free:rows_ingested"] = "1000000000000",
            ["Astralytiq:Plans:free:storage_bytes"] = "1000000000000000",
            ["Astralytiq:Plans:free:models_trained"] = "1000000000",
            ["Astralytiq:Plans:free:predictions"] = "1000000000000",
            ["Astralytiq:Plans:free:api_calls_per_minute"] = "1000000",
            ["Astralytiq:Plans:free:deployments"] = "1000000",
            // Plans whose metered limits tests reach in a few requests (P13, P29).
            [$"Astralytiq:Plans:{Billing.MeteredPlan.Name}:api_calls"] = Billing.MeteredPlan.ApiCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{Billing.MeteredPlan.Name}:models_trained"] = Billing.MeteredPlan.ModelsTrained.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{Billing.MeteredPlan.Name}:predictions"] = Billing.MeteredPlan.Predictions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{Billing.MeteredPlan.Name}:datasets"] = "1000",
            [$"Astralytiq:Plans:{Billing.MeteredPlan.MlName}:models_trained"] = Billing.MeteredPlan.MlModels.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{Billing.MeteredPlan.MlName}:predictions"] = Billing.MeteredPlan.MlPredictions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{Billing.MeteredPlan.ThrottledName}:api_calls_per_minute"] = Billing.MeteredPlan.PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Two plans with few features for P27; free keeps every feature (and is priced last) so other tests meet no gate.
            // A plan that counts what an organisation keeps: two people, two dashboards, one report, one alert rule, one deployment;
            // its history is kept a week.
            [$"Astralytiq:Plans:{Billing.CountedPlan.Name}:users"] = "2",
            [$"Astralytiq:Plans:{Billing.CountedPlan.Name}:deployments"] = "1",
            [$"Astralytiq:Plans:{Billing.CountedPlan.Name}:retention_days"] = "7",
            [$"Astralytiq:Plans:{Billing.CountedPlan.Name}:dashboards"] = "2",
            [$"Astralytiq:Plans:{Billing.CountedPlan.Name}:reports"] = "1",
            [$"Astralytiq:Plans:{Billing.CountedPlan.Name}:alert_rules"] = "1",
            ["Astralytiq:Plans:starter:datasets"] = "1000000000",
            ["Astralytiq:Plans:team:datasets"] = "1000000000",
            ["Astralytiq:PlanFeatures:starter"] = "api_keys, realtime_dashboards",
            ["Astralytiq:PlanFeatures:team"] = "api_keys,realtime_dashboards,sql_workspace,webhooks,forecasting,ml_training",
            ["Astralytiq:PlanPrices:starter"] = "1900",
            ["Astralytiq:PlanPrices:team"] = "2900",
            ["Astralytiq:PlanPrices:free"] = "100000",
            // An operator-defined plan with small limits: quota tests move their tenant onto it to reach them with small files.
            [$"Astralytiq:Plans:{SmallPlan.Name}:upload_bytes"] = SmallPlan.UploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{SmallPlan.Name}:datasets"] = SmallPlan.Datasets.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Astralytiq:Plans:{SmallPlan.Name}:rows_ingested"] = SmallPlan.RowsIngested.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Tests import from PostgreSQL and an HTTP server on this machine, which the guard would refuse.
            ["Astralytiq:Data:NetworkAllowList:0"] = "127.0.0.1",
            // Every test class shares this host: reads of one class may not wait behind another's.
            ["Astralytiq:Data:ParseSlots"] = "8",
            ["Astralytiq:Data:ParseSlotsPerTenant"] = "4",
            // Traces are recorded only for requests that arrive sampled (a test's own traceparent), so the suite's other
            // requests cost nothing; a Prometheus scraper's token, so tests can scrape as one.
            // Readiness is asked for by the tests that need it; the background round on a dozen hosts is only noise here.
            ["Astralytiq:Health:PeriodSeconds"] = "30",
            ["Astralytiq:Notifications:Webhooks:RetryBaseMilliseconds"] = "50",
            ["Astralytiq:Notifications:Webhooks:MaxAttempts"] = "4",
            ["Astralytiq:Notifications:Webhooks:NetworkAllowList:0"] = "127.0.0.1",
            ["Astralytiq:Notifications:Sms:Provider"] = "twilio",
            ["Astralytiq:Notifications:Sms:AccountSid"] = TwilioStandIn.AccountSid,
            ["Astralytiq:Notifications:Sms:AuthToken"] = TwilioStandIn.AuthToken,
            ["Astralytiq:Notifications:Sms:From"] = TwilioStandIn.From,
            ["Astralytiq:Notifications:Sms:BaseUrl"] = Twilio.BaseUrl,
            ["Astralytiq:Billing:Stripe:SecretKey"] = StripeStandIn.SecretKey,
            ["Astralytiq:Billing:Stripe:WebhookSecret"] = StripeStandIn.WebhookSecret,
            ["Astralytiq:Billing:Stripe:ApiBase"] = Stripe.BaseUrl,
            ["Astralytiq:Telemetry:Tracing:Enabled"] = "true",
            ["Astralytiq:Telemetry:Tracing:SampleRatio"] = "0",
            ["Astralytiq:Telemetry:Metrics:ScrapeToken"] = ScrapeToken,
        };
        foreach (var (key, value) in await DatabaseSettingsAsync())
        {
            settings[key] = value;
        }
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services =>
            {
                services.AddJobHandler<StepsJobHandler>(StepsJobHandler.Kind);
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SpanCapture()));
                StoreFaults.Register(services);
                services.AddScoped<Astralytiq.Platform.Alerting.IAlertMetric, ScriptedAlertMetric>();
                ConfigureServices(services);
            });
        });
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseAddress = _factory.ClientOptions.BaseAddress;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_start is not null)
        {
            try
            {
                await _start;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // the failed start already failed every test that awaited it; clean up what it left
            }
        }
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Smtp.DisposeAsync();
        await Twilio.DisposeAsync();
        await Stripe.DisposeAsync();
        await DropDatabaseAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a finishing request: the temp folder is reclaimed by the OS
        }
        GC.SuppressFinalize(this);
    }

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    /// <summary>Stops the calling test with a skip when this fixture's database is not configured.</summary>
    public void RequireAvailable()
    {
        if (Unavailable is not null)
        {
            Assert.Skip(Unavailable);
        }
    }

    /// <summary>Starts watching the host's temporary folder for files a test's requests might leave behind.</summary>
    public TemporaryFileWatch WatchTemporaryFiles() => new(Path.Combine(DataDir, "tmp"));

    public HttpClient NewHttpClient() => new() { BaseAddress = BaseAddress };

    public AstralytiqClient NewClient() => new(NewHttpClient());

    public static string NewEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}@example.com";

    public const string Password = "Correct-Horse-Battery-9";

    /// <summary>The bearer token the test hosts accept from a Prometheus scraper.</summary>
    public const string ScrapeToken = "test-scrape-token-0123456789abcdef0123456789";

    /// <summary>Signs up a new tenant; returns its Admin's client.</summary>
    public async Task<TestTenant> NewTenantAsync(string? organization = null)
    {
        var client = NewClient();
        var email = NewEmail("admin");
        var response = await client.RegisterAsync(new RegisterRequest(email, Password, "Test Admin", organization ?? "Org " + Guid.NewGuid().ToString("N")[..8], null));
        return new TestTenant(client, response.EnsureValue().User, Password);
    }

    /// <summary>Creates a platform operator (no tenant) and signs it in.</summary>
    public async Task<AstralytiqClient> NewOperatorAsync()
    {
        var email = NewEmail("ops");
        await using (var scope = Services.CreateAsyncScope())
        {
            await Astralytiq.Identity.IdentityModule.GetAccountCommands(scope.ServiceProvider).CreateOperatorAsync(email, Password, CancellationToken.None);
        }
        var client = NewClient();
        (await client.LoginAsync(new LoginRequest(email, Password))).EnsureSuccess();
        return client;
    }

    /// <summary>Signs up a new tenant and has an operator move it to <paramref name="plan"/>.</summary>
    public async Task<TestTenant> NewTenantOnPlanAsync(string plan)
    {
        var tenant = await NewTenantAsync();
        var ops = await NewOperatorAsync();
        (await ops.Operator.ChangeTenantPlanAsync(tenant.Id, new Astralytiq.Contracts.Tenancy.ChangeTenantPlanRequest(plan, "test"))).EnsureSuccess();
        return tenant;
    }

    /// <summary>Invites a user with the role into the tenant, reads the invitation email and registers; returns their client.</summary>
    public async Task<(AstralytiqClient Client, UserResponse User)> AddUserAsync(TestTenant tenant, Role role)
    {
        var email = NewEmail(role.ToString().ToLowerInvariant());
        (await tenant.Admin.Users.InviteAsync(new InviteUserRequest(email, role))).EnsureValue();
        var token = await InvitationTokenAsync(email);
        var client = NewClient();
        var registered = await client.RegisterAsync(new RegisterRequest(email, Password, role + " user", null, token));
        return (client, registered.EnsureValue().User);
    }

    public async Task<string> InvitationTokenAsync(string email)
    {
        var message = await Smtp.WaitForAsync(email, m => m.Subject?.Contains("invited", StringComparison.OrdinalIgnoreCase) == true);
        return InvitationCode().Match(message.TextBody ?? string.Empty).Groups[1].Value;
    }

    public async Task<string> ResetTokenAsync(string email)
    {
        var message = await Smtp.WaitForAsync(email, m => m.Subject?.Contains("Reset", StringComparison.Ordinal) == true);
        return ResetCode().Match(message.TextBody ?? string.Empty).Groups[1].Value;
    }

    [GeneratedRegex(@"Invitation code: (\S+)")]
    private static partial Regex InvitationCode();

    [GeneratedRegex(@"reset code in the app: (\S+)")]
    private static partial Regex ResetCode();
}

public class SqlitePlatform : PlatformFixture
{
    public override string Provider => "Sqlite";

    protected override Task<IReadOnlyDictionary<string, string?>> DatabaseSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Astralytiq:Database:Provider"] = "Sqlite" });
}

/// <summary>
/// A fresh database on the PostgreSQL server named by <c>ASTRALYTIQ_TEST_POSTGRES</c> (an admin connection
/// string). The platform connects as a non-superuser owner, so row-level security applies to it.
/// </summary>
public class PostgresPlatform : PlatformFixture
{
    public const string EnvironmentVariable = "ASTRALYTIQ_TEST_POSTGRES";

    private readonly PostgresDatabase _database = new();

    public static string? AdminConnectionString => PostgresDatabase.AdminConnectionString;

    public override string Provider => "Postgres";

    public override string? Unavailable => _database.Unavailable;

    public string AppConnectionString => _database.AppConnectionString();

    /// <summary>The platform's connection string; a subclass may point it elsewhere (through a proxy, say).</summary>
    protected virtual string ConnectionString(PostgresDatabase database) => database.AppConnectionString();

    protected override async Task<IReadOnlyDictionary<string, string?>> DatabaseSettingsAsync()
    {
        await _database.CreateAsync();
        return new Dictionary<string, string?>
        {
            ["Astralytiq:Database:Provider"] = "Postgres",
            ["Astralytiq:Database:ConnectionString"] = ConnectionString(_database),
        };
    }

    protected override Task DropDatabaseAsync() => Unavailable is not null ? Task.CompletedTask : _database.DropAsync();
}
