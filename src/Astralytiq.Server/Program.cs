using Astralytiq.Identity;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Security;
using Astralytiq.Server;

// Verbs: serve (default), migrate, seed-demo, create-operator --email E [--password P], rotate-keys.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
var hostArgs = verb == "serve" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args.Skip(1).ToArray();

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = hostArgs,
    // Tests choose their own content root; a server started from another directory reads the settings beside it.
    ContentRootPath = HostedByTests() ? null : ContentRoot.Choose(Directory.GetCurrentDirectory(), AppContext.BaseDirectory, hostArgs, Environment.GetEnvironmentVariable),
});
// Serve the web client's files from the build output in every environment (after publish they are in wwwroot).
builder.WebHost.UseStaticWebAssets();
if (verb != "serve")
{
    builder.Configuration["Astralytiq:MigrateOnStartup"] = "false";
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}
try
{
    builder.ConfigureServices();
}
catch (StartupRefusedException ex) when (!HostedByTests())
{
    // A wrong setting: say which and stop, without a stack trace.
    Console.Error.WriteLine($"Astralytiq cannot start: {ex.Message}");
    Console.Error.WriteLine("Fix it in appsettings.json or in its environment variable (Astralytiq__Section__Key), then start again.");
    return 2;
}
var app = builder.Build();
app.ConfigurePipeline();

try
{
    return await RunVerbAsync();
}
catch (StartupRefusedException ex) when (!HostedByTests())
{
    Console.Error.WriteLine($"Astralytiq cannot start: {ex.Message}");
    return 2;
}

async Task<int> RunVerbAsync()
{
    switch (verb)
    {
        case "serve":
            // Migrate before the host starts, so a database this build cannot upgrade is reported in one line
            // (the start-up service that migrates again finds nothing to do).
            if (app.Configuration.GetValue("Astralytiq:MigrateOnStartup", true))
            {
                await AstralytiqHost.MigrateAsync(app.Services, CancellationToken.None);
            }
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var options = app.Services.GetRequiredService<PlatformOptions>();
                foreach (var url in app.Urls)
                {
                    Console.WriteLine($"Astralytiq is running at {url}  (API docs: {url.TrimEnd('/')}/docs, data: {options.DataDir})");
                }
            });
            await app.RunAsync();
            return 0;

        case "migrate":
            await AstralytiqHost.MigrateAsync(app.Services, CancellationToken.None);
            Console.WriteLine("Migrations applied.");
            return 0;

        case "seed-demo":
        {
            await AstralytiqHost.MigrateAsync(app.Services, CancellationToken.None);
            await using var scope = app.Services.CreateAsyncScope();
            var demo = await scope.ServiceProvider.GetAccountCommands().SeedDemoAsync(CancellationToken.None);
            Console.WriteLine($"Demo tenant '{demo.Name}' ({demo.TenantId}). Sign in with:");
            foreach (var account in demo.Accounts)
            {
                Console.WriteLine($"  {account.Role,-8} {account.Email,-36} {account.Password}");
            }
            return 0;
        }

        case "create-operator":
        {
            var email = Option(args, "--email");
            if (email is null)
            {
                Console.Error.WriteLine("usage: create-operator --email EMAIL [--password PASSWORD]");
                return 2;
            }
            await AstralytiqHost.MigrateAsync(app.Services, CancellationToken.None);
            await using var scope = app.Services.CreateAsyncScope();
            try
            {
                var account = await scope.ServiceProvider.GetAccountCommands().CreateOperatorAsync(email, Option(args, "--password"), CancellationToken.None);
                Console.WriteLine($"Operator {account.Email} password: {account.Password}");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        }

        case "rotate-keys":
        {
            var key = app.Services.GetRequiredService<KeyRing>().RotateSigningKey();
            Console.WriteLine($"Token signing key {key.KeyId} is now current; the previous key verifies for {KeyRing.RetiredAfter.TotalHours} more hours.");
            return 0;
        }

        default:
            Console.Error.WriteLine($"Unknown verb '{verb}'. Verbs: serve, migrate, seed-demo, create-operator, rotate-keys.");
            return 2;
    }
}

// WebApplicationFactory runs this entry point to build its host; it needs the exception itself.
static bool HostedByTests() => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.AspNetCore.Mvc.Testing");

static string? Option(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
