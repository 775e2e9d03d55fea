using System.Net;
using System.Text;
using System.Text.Json;
using Astralytiq.Contracts.Client;
using Astralytiq.Platform.Health;
using Astralytiq.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Astralytiq.Tests.Platform;

/// <summary>A host whose module stores can each be taken away for real, and whose SMTP server can be cut off.</summary>
public interface IModuleStores
{
    TcpProxy SmtpProxy { get; }

    void TakeDown(string module);

    void BringBack(string module);
}

/// <summary>SQLite with each module's store in a file of its own, in a folder of its own: moving the folder away is that store gone.</summary>
public sealed class SqliteModuleStores : SqlitePlatform, IModuleStores
{
    private TcpProxy? _smtp;

    public TcpProxy SmtpProxy => _smtp ??= StartProxy(Smtp.Port);

    private string Folder(string module) => Path.Combine(DataDir, "stores", module);

    protected override IReadOnlyDictionary<string, string?> ExtraSettings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                // Every 5 s (the default): noticed within 10 s, without forking a PostgreSQL backend per store every second all run long.
                ["Astralytiq:Health:PeriodSeconds"] = "5",
                ["Astralytiq:Email:Smtp:Port"] = SmtpProxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var module in StoreFaults.Modules)
            {
                Directory.CreateDirectory(Folder(module));
                settings[$"Astralytiq:Database:Modules:{module}:ConnectionString"] = $"Data Source={Path.Combine(Folder(module), module + ".db")};Pooling=False;Default Timeout=30";
            }
            return settings;
        }
    }

    public void TakeDown(string module) => Directory.Move(Folder(module), Folder(module) + ".down");

    public void BringBack(string module) => Directory.Move(Folder(module) + ".down", Folder(module));

    internal static TcpProxy StartProxy(int port)
    {
        var proxy = new TcpProxy("127.0.0.1", port);
        proxy.Start();
        return proxy;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }
}

/// <summary>
/// PostgreSQL with each module's store reached through a proxy of its own (stopping one is that store's server
/// gone), and the data directory on a small disk of its own when <c>ASTRALYTIQ_TEST_SMALL_DISK</c> names one.
/// </summary>
public sealed class PostgresModuleStores : PostgresPlatform, IModuleStores
{
    public const string SmallDiskVariable = "ASTRALYTIQ_TEST_SMALL_DISK";
    private readonly Dictionary<string, TcpProxy> _stores = [];
    private readonly Dictionary<string, string> _connections = [];
    private TcpProxy? _smtp;

    public PostgresModuleStores()
    {
        if (SmallDisk is { } disk)
        {
            DataDir = Path.Combine(disk, Guid.NewGuid().ToString("N"));
        }
    }

    public static string? SmallDisk => Environment.GetEnvironmentVariable(SmallDiskVariable) is { Length: > 0 } d && Directory.Exists(d) ? d : null;

    public TcpProxy SmtpProxy => _smtp ??= SqliteModuleStores.StartProxy(Smtp.Port);

    protected override string ConnectionString(PostgresDatabase database)
    {
        var admin = new NpgsqlConnectionStringBuilder(PostgresDatabase.AdminConnectionString);
        foreach (var module in StoreFaults.Modules)
        {
            var proxy = new TcpProxy(admin.Host!, admin.Port);
            proxy.Start();
            _stores[module] = proxy;
            // No pool: a store that comes back is used afresh, not through connections its outage cut.
            _connections[module] = new NpgsqlConnectionStringBuilder(database.AppConnectionString("127.0.0.1", proxy.Port)) { Pooling = false }.ConnectionString;
        }
        return _connections["platform"];
    }

    protected override IReadOnlyDictionary<string, string?> ExtraSettings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                // Every 5 s (the default): noticed within 10 s, without forking a PostgreSQL backend per store every second all run long.
                ["Astralytiq:Health:PeriodSeconds"] = "5",
                ["Astralytiq:Health:MinFreeDiskMegabytes"] = "4",
                ["Astralytiq:Email:Smtp:Port"] = SmtpProxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (module, connection) in _connections)
            {
                settings[$"Astralytiq:Database:Modules:{module}:ConnectionString"] = connection;
            }
            return settings;
        }
    }

    public void TakeDown(string module) => _stores[module].Stop();

    public void BringBack(string module) => _stores[module].Start();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var proxy in _stores.Values)
        {
            await proxy.DisposeAsync();
        }
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }
}

/// <summary>One case of P32: which stores are down (core ones included) and whether SMTP answers.</summary>
public sealed record Outage(IReadOnlyList<string> Stores, bool SmtpDown)
{
    public override string ToString() => $"stores down: {(Stores.Count == 0 ? "none" : string.Join(",", Stores))}; smtp {(SmtpDown ? "down" : "up")}";
}

public static class Outages
{
    public static Arbitrary<Outage> Any() =>
        (from stores in Gen.SubListOf(StoreFaults.Modules)
         from smtp in Gen.Elements(false, false, true)
         select new Outage([.. stores], smtp)).ToArbitrary();
}

/// <summary>
/// Health that tells the truth (issue 14, P32): with real stores taken away (a module's files moved away on
/// SQLite, its server's proxy stopped on PostgreSQL) and SMTP cut off, <c>/health/ready</c> names exactly the failing
/// parts, is degraded while the core works and unhealthy when it does not, and each module's routes answer as
/// readiness says; the background checks notice an outage and its end within seconds, without a restart.
/// </summary>
public abstract class HealthTests<TPlatform>(TPlatform platform) : PlatformTest<TPlatform>(platform)
    where TPlatform : PlatformFixture, IModuleStores
{
    private static readonly string[] NonCore = ["audit", "data", "ml", "dashboards", "notifications", "billing"];
    private TestTenant? _tenant;

    protected async Task CheckP32Async(Outage outage)
    {
        if (_tenant is null)
        {
            await ReadyAgainAsync();
            _tenant = await Platform.NewTenantAsync();
        }
        foreach (var store in outage.Stores)
        {
            Platform.TakeDown(store);
        }
        if (outage.SmtpDown)
        {
            Platform.SmtpProxy.Stop();
        }
        try
        {
            var coreDown = outage.Stores.Any(PlatformHealth.CoreModules.Contains);
            using var http = Platform.NewHttpClient();
            using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            Assert.Equal(coreDown ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = body.RootElement;
            var expectedStatus = coreDown ? "unhealthy" : outage.Stores.Count > 0 || outage.SmtpDown ? "degraded" : "healthy";
            Assert.Equal(expectedStatus, root.GetProperty("status").GetString());
            // The job queue lives in the kernel's store: with it gone, background work cannot be read or claimed either.
            var jobsDown = outage.Stores.Contains("platform");
            var expectedFailing = outage.Stores.Select(s => "database:" + s).Concat(outage.SmtpDown ? ["smtp"] : []).Concat(jobsDown ? ["jobs"] : [])
                .Order(StringComparer.Ordinal);
            Assert.Equal(expectedFailing, root.GetProperty("failing").EnumerateArray().Select(f => f.GetString()!));
            var checks = root.GetProperty("checks");
            foreach (var module in StoreFaults.Modules)
            {
                var check = checks.GetProperty("database:" + module);
                Assert.Equal(outage.Stores.Contains(module) ? "unhealthy" : "healthy", check.GetProperty("status").GetString());
                Assert.False(string.IsNullOrWhiteSpace(check.GetProperty("description").GetString()));
                Assert.Equal(coreDown || outage.Stores.Contains(module) ? "unavailable" : "available", root.GetProperty("modules").GetProperty(module).GetString());
            }
            Assert.Equal(outage.SmtpDown ? "unhealthy" : "healthy", checks.GetProperty("smtp").GetProperty("status").GetString());
            Assert.Equal(jobsDown ? "unhealthy" : "healthy", checks.GetProperty("jobs").GetProperty("status").GetString());

            // Routes answer as readiness says.
            foreach (var module in NonCore)
            {
                var answer = await ProbeAsync(_tenant.Admin, module);
                if (coreDown)
                {
                    Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"{module} with the core down: {(int)answer.Status}");
                    Assert.Equal("SERVICE_UNAVAILABLE", answer.Error!.Error.Code);
                }
                else if (outage.Stores.Contains(module))
                {
                    Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"{module} is down: {(int)answer.Status}");
                    Assert.Equal("MODULE_UNAVAILABLE", answer.Error!.Error.Code);
                    Assert.Equal(module, Assert.Single(answer.Error.Error.Details!).Message);
                }
                else
                {
                    Assert.True(answer.Status == HttpStatusCode.OK, $"{module} is up ({outage}): {(int)answer.Status} {answer.Error?.Error.Message}");
                }
            }
        }
        finally
        {
            foreach (var store in outage.Stores)
            {
                Platform.BringBack(store);
            }
            if (outage.SmtpDown)
            {
                Platform.SmtpProxy.Start();
            }
        }
    }

    /// <summary>
    /// Back to healthy (readiness sees it, so the routes do too) after the property's last case; each case starts by
    /// taking stores down and asking readiness, so it needs no such wait.
    /// </summary>
    protected async Task ReadyAgainAsync()
    {
        using var http = Platform.NewHttpClient();
        await Eventually.TrueAsync(async () => (await http.GetAsync(new Uri("health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK
            && Platform.Services.GetRequiredService<ModuleAvailability>().Current is { Status: Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy },
            TimeSpan.FromSeconds(10), "healthy again");
    }

    private static async Task<ApiResponse<object>> ProbeAsync(AstralytiqClient client, string module)
    {
        var path = module switch
        {
            "data" => "api/v1/data/datasets?limit=1",
            "ml" => "api/v1/ml/models?limit=1",
            "dashboards" => "api/v1/dashboards?limit=1",
            "notifications" => "api/v1/alerts/rules",
            "billing" => "api/v1/billing/invoices?limit=1",
            _ => "api/v1/audit/logs?limit=1",
        };
        return await client.SendAsync<object>(HttpMethod.Get, path, null, CancellationToken.None);
    }

    [Fact]
    public async Task The_background_checks_notice_a_store_going_and_coming_back_within_seconds_without_a_restart()
    {
        await ReadyAgainAsync();
        _tenant ??= await Platform.NewTenantAsync();
        var availability = Platform.Services.GetRequiredService<ModuleAvailability>();
        Platform.TakeDown("ml");
        try
        {
            // No readiness call and no request: the periodic checks alone mark the module unavailable.
            await Eventually.TrueAsync(() => Task.FromResult(availability.Current?.UnavailableModules.ContainsKey("ml") == true), TimeSpan.FromSeconds(10), "ml marked unavailable");
            Assert.False(availability.Current!.CoreDown);
            Assert.Equal(["ml"], availability.Current.UnavailableModules.Keys);
            var gated = await _tenant.Admin.Models.ListAsync();
            Assert.Equal("MODULE_UNAVAILABLE", gated.Error!.Error.Code);
            Assert.Equal(HttpStatusCode.OK, (await _tenant.Admin.Dashboards.ListAsync()).Status);
        }
        finally
        {
            Platform.BringBack("ml");
        }
        await Eventually.TrueAsync(() => Task.FromResult(availability.Current?.UnavailableModules.Count == 0), TimeSpan.FromSeconds(10), "ml available again");
        Assert.Equal(HttpStatusCode.OK, (await _tenant.Admin.Models.ListAsync()).Status);
    }

    [Fact]
    public async Task Mail_sent_while_SMTP_is_down_waits_and_arrives_once_it_is_back()
    {
        await ReadyAgainAsync();
        var tenant = await Platform.NewTenantAsync();
        Platform.SmtpProxy.Stop();
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Platform.NewClient().Account.RequestPasswordResetAsync(
                new Contracts.Identity.PasswordResetRequest(tenant.AdminUser.Email))).Status);
            using var http = Platform.NewHttpClient();
            using var ready = JsonDocument.Parse(await http.GetStringAsync(new Uri("health/ready", UriKind.Relative)));
            Assert.Equal("degraded", ready.RootElement.GetProperty("status").GetString());
            Assert.Equal(["smtp"], ready.RootElement.GetProperty("failing").EnumerateArray().Select(f => f.GetString()!));
            Assert.Contains("cannot be reached", ready.RootElement.GetProperty("checks").GetProperty("smtp").GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Platform.SmtpProxy.Start();
        }
        await Platform.Smtp.WaitForAsync(tenant.AdminUser.Email, timeout: TimeSpan.FromSeconds(30));
    }
}

public sealed class HealthTests_Sqlite(SqliteModuleStores platform) : HealthTests<SqliteModuleStores>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(Outages)])]
    public Task P32_readiness_names_exactly_what_is_down_and_routes_answer_as_it_says(Outage outage) => CheckP32Async(outage);
}

public sealed class HealthTests_Postgres(PostgresModuleStores platform) : HealthTests<PostgresModuleStores>(platform)
{
    [Property(MaxTest = 100, Arbitrary = [typeof(Outages)])]
    public Task P32_readiness_names_exactly_what_is_down_and_routes_answer_as_it_says(Outage outage) => CheckP32Async(outage);

    /// <summary>
    /// The data directory on a 64 MiB disk of its own (<c>.ci/services.sh</c> mounts it): filled up, readiness turns
    /// degraded naming the disk and the storage, an upload answers 503 <c>MODULE_UNAVAILABLE</c> for the data module
    /// alone, and once space is freed everything recovers without a restart.
    /// </summary>
    [Fact]
    public async Task A_full_disk_degrades_readiness_fails_uploads_clearly_and_recovers_when_space_is_freed()
    {
        if (PostgresModuleStores.SmallDisk is null)
        {
            Assert.Skip($"No small disk: set {PostgresModuleStores.SmallDiskVariable} to a small mounted filesystem (bash .ci/run mounts a 64 MiB tmpfs; it needs root)");
        }
        await ReadyAgainAsync();
        var tenant = await Platform.NewTenantAsync();
        var csv = "region,amount\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"r{i % 7},{i}\n"));
        var filler = Path.Combine(Platform.DataDir, "filler.bin");
        var chunk = new byte[1 << 20];
        await using (var stream = new FileStream(filler, FileMode.Create, FileAccess.Write))
        {
            try
            {
                while (true)
                {
                    await stream.WriteAsync(chunk);
                    await stream.FlushAsync();
                }
            }
            catch (IOException)
            {
                // the disk is full: what the test wanted
            }
        }
        try
        {
            using var http = Platform.NewHttpClient();
            using (var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
                Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
                var failing = body.RootElement.GetProperty("failing").EnumerateArray().Select(f => f.GetString()).ToList();
                Assert.Contains("disk", failing);
                Assert.Contains("storage", failing);
                Assert.Contains("nearly full", body.RootElement.GetProperty("checks").GetProperty("disk").GetProperty("description").GetString(), StringComparison.Ordinal);
            }
            var upload = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "full.csv", "full");
            Assert.True(upload.Status == HttpStatusCode.ServiceUnavailable, $"upload on a full disk: {(int)upload.Status} {upload.Error?.Error.Code} {upload.Error?.Error.Message}");
            Assert.Equal("MODULE_UNAVAILABLE", upload.Error!.Error.Code);
            Assert.Contains("disk is full", upload.Error.Error.Message, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Dashboards.ListAsync()).Status);
            Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Models.ListAsync()).Status);
        }
        finally
        {
            File.Delete(filler);
        }
        await ReadyAgainAsync();
        var again = await tenant.Admin.Datasets.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "full.csv", "full");
        Assert.True(again.IsSuccess, $"upload after space was freed: {(int)again.Status} {again.Error?.Error.Message}");
    }
}
