using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Npgsql;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// The server as its own process (the app host built next to the tests), on 127.0.0.1 with its own data
/// directory: input that crashes or hangs a server fails the test that sent it instead of killing the test
/// host, and a test can kill it (-9) and start it again on the same data. SQLite by default; PostgreSQL
/// (a fresh database) for <see cref="PostgresServerProcess"/>.
/// </summary>
public class ServerProcess : IAsyncLifetime
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "astralytiq-tests", "proc-" + Guid.NewGuid().ToString("N"));

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public virtual string? Unavailable => null;

    /// <summary>Settings on top of the production defaults (as environment variables, <c>Astralytiq__Section__Key</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        // A real password-hash cost, a quarter of production's 210,000 rounds: sign-in timing is measured here, and a hash
        // of about 50 ms still outweighs the rest of a sign-in many times over (a decoy hash of another cost shows at
        // once), while the processes' hundred-odd sign-ups and sign-ins cost a quarter of the CPU. No lockout to get in
        // the way.
        ["Astralytiq__Identity__PasswordHashIterations"] = "50000",
        ["Astralytiq__Identity__LockoutThreshold"] = "1000000",
        ["Astralytiq__RateLimits__PerIp"] = "1000000",
        ["Astralytiq__RateLimits__PerUser"] = "1000000",
        ["Astralytiq__RateLimits__PerTenant"] = "1000000",
        ["Astralytiq__RateLimits__SensitivePerIp"] = "1000000",
        ["Astralytiq__Data__AsyncIngestBytes"] = "200000",
        ["Astralytiq__Data__ParseTimeoutSeconds"] = "5",
        ["Astralytiq__Data__SqlTimeoutSeconds"] = "5",
        ["Astralytiq__Schedules__TickSeconds"] = "3600",
        ["Astralytiq__Jobs__LeaseSeconds"] = "3",
        ["Astralytiq__Jobs__PollMilliseconds"] = "100",
        ["Astralytiq__Jobs__RetryBaseMilliseconds"] = "50",
        ["Astralytiq__Plans__free__datasets"] = "1000000000",
        ["Astralytiq__Plans__free__rows_ingested"] = "1000000000000",
        ["Astralytiq__Plans__free__storage_bytes"] = "1000000000000000",
    };

    protected virtual Task<IReadOnlyDictionary<string, string>> DatabaseSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Astralytiq__Database__Provider"] = "Sqlite" });

    private IReadOnlyDictionary<string, string>? _database;

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }
        Directory.CreateDirectory(DataDir);
        _database = await DatabaseSettingsAsync();
        await StartAsync();
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 4000 ? "…" + text[^4000..] : text;
            }
        }
    }

    private int? _port;

    /// <summary>Starts the process (again, after a kill: on the same port and data).</summary>
    public async Task StartAsync()
    {
        var port = _port ??= FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Astralytiq.Server"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASTRALYTIQ_DATA_DIR"] = DataDir;
        start.Environment["Astralytiq__DataDir"] = DataDir;
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (key, value) in Settings.Concat(_database ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }
        lock (_output)
        {
            _output.Clear();
        }
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server process exited with {process.ExitCode} while starting:\n{Output}");
            }
            try
            {
                if ((await http.GetAsync("health/live", deadline.Token)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                // one probe timed out
            }
            await Task.Delay(100, deadline.Token);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
        }
    }

    /// <summary>kill -9: no shutdown, no finally blocks.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Fails the calling test (with the server's last output) when the process is gone or no longer answers.</summary>
    public async Task AssertAliveAsync(string after)
    {
        if (!IsRunning)
        {
            Assert.Fail($"The server process died after {after} (exit {_process?.ExitCode.ToString(CultureInfo.InvariantCulture)}):\n{Output}");
        }
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var live = await http.GetAsync("health/live");
        Assert.True(live.StatusCode == HttpStatusCode.OK, $"The server stopped answering after {after}: {live.StatusCode}");
    }

    public HttpClient NewHttpClient(TimeSpan? timeout = null) => new() { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };

    public AstralytiqClient NewClient(TimeSpan? timeout = null) => new(NewHttpClient(timeout));

    public async Task<(AstralytiqClient Client, UserResponse User, string Token)> NewTenantAsync(TimeSpan? timeout = null)
    {
        var http = NewHttpClient(timeout);
        var client = new AstralytiqClient(http);
        var registered = (await client.RegisterAsync(new RegisterRequest(PlatformFixture.NewEmail("proc"), PlatformFixture.Password, "Proc Admin",
            "Org " + Guid.NewGuid().ToString("N")[..8], null))).EnsureValue();
        return (client, registered.User, registered.AccessToken);
    }

    /// <summary>The data module's temporary files (received uploads and the like) present now.</summary>
    public IReadOnlyList<string> TemporaryFiles()
    {
        var tmp = Path.Combine(DataDir, "tmp");
        return Directory.Exists(tmp)
            ? Directory.EnumerateFiles(tmp, "ingest-*", SearchOption.TopDirectoryOnly).Select(f => Path.GetFileName(f)).ToList()
            : [];
    }

    public virtual async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        await DropDatabaseAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // the OS reclaims the temp folder
        }
        GC.SuppressFinalize(this);
    }

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The server process on a fresh PostgreSQL database (skips without <c>ASTRALYTIQ_TEST_POSTGRES</c>).</summary>
public class PostgresServerProcess : ServerProcess
{
    private readonly PostgresDatabase _database = new();

    public override string? Unavailable => _database.Unavailable;

    protected override async Task<IReadOnlyDictionary<string, string>> DatabaseSettingsAsync()
    {
        var connection = await _database.CreateAsync();
        return new Dictionary<string, string>
        {
            ["Astralytiq__Database__Provider"] = "Postgres",
            ["Astralytiq__Database__ConnectionString"] = connection,
        };
    }

    protected override Task DropDatabaseAsync() => _database.DropAsync();
}

/// <summary>A throwaway database on the configured PostgreSQL server, owned by a non-superuser role (so row-level security applies).</summary>
public sealed class PostgresDatabase
{
    public const string AppRole = "astralytiq_test_app";
    public const string AppPassword = "astralytiq-test-app";

    private readonly string _name = "aq_test_" + Guid.NewGuid().ToString("N")[..16];

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(PostgresPlatform.EnvironmentVariable);

    public string? Unavailable => string.IsNullOrWhiteSpace(AdminConnectionString)
        ? $"PostgreSQL is not configured: set {PostgresPlatform.EnvironmentVariable} to an admin connection string (bash .ci/run does)"
        : null;

    public string AppConnectionString(string? host = null, int? port = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = _name,
            Username = AppRole,
            Password = AppPassword,
            Pooling = true,
            MaxPoolSize = 20,
        };
        if (host is not null)
        {
            builder.Host = host;
        }
        if (port is not null)
        {
            builder.Port = port.Value;
        }
        return builder.ConnectionString;
    }

    public async Task<string> CreateAsync()
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using (var role = admin.CreateCommand())
        {
            role.CommandText = $"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AppRole}') THEN
                    CREATE ROLE {AppRole} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{AppPassword}';
                  END IF;
                END $$;
                """;
            try
            {
                await role.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == "23505")
            {
                // another fixture created the role at the same moment
            }
        }
        await using (var create = admin.CreateCommand())
        {
            create.CommandText = $"CREATE DATABASE {_name} OWNER {AppRole}";
            await create.ExecuteNonQueryAsync();
        }
        return AppConnectionString();
    }

    public async Task DropAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = admin.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)";
        await drop.ExecuteNonQueryAsync();
    }
}
