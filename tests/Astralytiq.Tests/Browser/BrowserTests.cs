using Deque.AxeCore.Playwright;
using System.Text.RegularExpressions;
using Astralytiq.Contracts.ML;
using Astralytiq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Astralytiq.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright (never a downloaded browser), one for the whole run. The browser tests
/// drive the shared SQLite host (each makes its own tenant), so they start no server of their own.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly SemaphoreSlim _start = new(1, 1);
    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public static string? Unavailable => File.Exists(ExecutablePath)
        ? null
        : $"Chromium is not installed at {ExecutablePath} (apt-get install chromium; bash .ci/run does)";

    /// <summary>Nothing starts with the run: only a run that has a browser test pays for the browser.</summary>
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async Task<IBrowser> StartAsync()
    {
        await _start.WaitAsync();
        try
        {
            if (Browser is null)
            {
                _playwright = await Playwright.CreateAsync();
                Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ExecutablePath,
                    Headless = true,
                    // Every browser context starts the WebAssembly client afresh; V8's second, optimising compile of the runtime
                    // (about a second of CPU each time) never pays back in a test's short page, so only the baseline compiler
                    // runs: the browser tests took 247 instead of 271 CPU-s of the machine (ASTRALYTIQ_CHROMIUM_ARGS adds flags).
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--js-flags=--no-wasm-tier-up", .. (Environment.GetEnvironmentVariable("ASTRALYTIQ_CHROMIUM_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [])],
                });
            }
            return Browser;
        }
        finally
        {
            _start.Release();
        }
    }

    private IBrowserContext? _shared;

    /// <summary>
    /// The context every signed-in page of the run opens in, one test after another (the Browser collection runs its tests
    /// in turn), each test starting from empty storage: the app's files stay in its HTTP and code caches, so a page
    /// starts the client without downloading and compiling it again (a third less CPU per start than a fresh context).
    /// </summary>
    public async Task<IBrowserContext> SharedContextAsync(Uri baseAddress)
    {
        var browser = await StartAsync();
        await _start.WaitAsync();
        try
        {
            // Less motion asked for, as some users do: the app then animates nothing, so a spinner shown while a test waits is
            // not painted again sixty times a second.
            return _shared ??= await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ReducedMotion = ReducedMotion.Reduce });
        }
        finally
        {
            _start.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync();
        }
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        _start.Dispose();
    }
}

/// <summary>
/// Browser tests run one after another, beside the rest of the suite and started first (<see cref="LongestFirst"/>):
/// run alone at the end they were a 90 s tail on one busy core. Under the suite's load a step may take longer than
/// it does alone, so steps wait up to 60 s (a passing step still moves on at once).
/// </summary>
[CollectionDefinition("Browser")]
public sealed class BrowserCollection;


/// <summary>What every browser test shares: the browser, a page per context, signing in and the checks a user would make.</summary>
public abstract class BrowserTest(SqlitePlatform platform, Chromium chromium) : PlatformTest<SqlitePlatform>(platform)
{
    private IBrowser? _browser;
    private IBrowserContext? _shared;

    public override async ValueTask InitializeAsync()
    {
        if (Chromium.Unavailable is { } reason)
        {
            Assert.Skip(reason);
        }
        await base.InitializeAsync();
        // A cold WebAssembly start in a fresh browser context, beside the rest of the suite, can take far more than the default 5 s.
        Assertions.SetDefaultExpectTimeout(60_000);
        _browser = await chromium.StartAsync();
        _shared = await chromium.SharedContextAsync(Platform.BaseAddress);
        // Each test starts signed out, as in a browser never used before: no session, cookies or stored data of an earlier test.
        var blank = await _shared.NewPageAsync();
        var cdp = await _shared.NewCDPSessionAsync(blank);
        await cdp.SendAsync("Storage.clearDataForOrigin", new Dictionary<string, object>
        {
            ["origin"] = Platform.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["storageTypes"] = "cookies,local_storage,session_storage,indexeddb",
        });
        await cdp.DetachAsync();
        await blank.CloseAsync();
    }

    /// <summary>
    /// A page of the browser every test shares (its pages share the session, as tabs do), or, isolated, a page in a
    /// browser of its own: someone else, signed out, at the same time.
    /// </summary>
    protected async Task<IPage> NewPageAsync(int width, int height, bool isolated = false)
    {
        IPage page;
        if (isolated)
        {
            var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = Platform.BaseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = width, Height = height },
                ReducedMotion = ReducedMotion.Reduce,
            });
            _contexts.Add(context);
            page = await context.NewPageAsync();
        }
        else
        {
            page = await _shared!.NewPageAsync();
            await page.SetViewportSizeAsync(width, height);
        }
        page.SetDefaultTimeout(60_000);
        // What the page said, kept for a failed test's output: a step that times out then shows why (an error in the
        // client, a failed request), not only which step.
        var name = $"page {_pages.Count + 1} ({width}x{height})";
        _pages.Add(page);
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                _log.Enqueue($"{name} console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => _log.Enqueue($"{name} uncaught: {error}");
        page.RequestFailed += (_, request) => _log.Enqueue($"{name} request failed: {request.Method} {request.Url} {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _log.Enqueue($"{name} {response.Status} for {response.Request.Method} {response.Url}");
            }
        };
        return page;
    }

    private readonly List<IPage> _pages = [];
    private readonly List<IBrowserContext> _contexts = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    public override async ValueTask DisposeAsync()
    {
        if (TestContext.Current.TestState?.Result == TestResult.Failed && TestContext.Current.TestOutputHelper is { } output)
        {
            foreach (var page in _pages.Where(p => !p.IsClosed))
            {
                _log.Enqueue($"at the end: {page.Url}; the page's text: {await TextAsync(page)}");
            }
            output.WriteLine("What the browser saw:\n" + string.Join("\n", _log.TakeLast(60)));
        }
        foreach (var page in _pages.Where(p => !p.IsClosed))
        {
            await page.CloseAsync();
        }
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static async Task<string> TextAsync(IPage page)
    {
        try
        {
            var text = Regex.Replace(await page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 }), @"\s+", " ");
            return text.Length > 600 ? text[..600] + "…" : text;
        }
        catch (PlaywrightException ex)
        {
            return "(unreadable: " + ex.Message.Split('\n')[0] + ")";
        }
    }

    /// <summary>The time on the server's own clock, which judges codes and token expiry.</summary>
    protected DateTime ServerNow() => Platform.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

    protected static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}]");

    /// <summary>
    /// axe-core (Deque's engine, run in the page) finds no serious or critical WCAG 2.1 A/AA violation: every field has a
    /// label, every button and link a name, contrast is enough, ARIA is used as meant.
    /// </summary>
    protected static async Task AccessibleAsync(IPage page, string where)
    {
        // A snackbar fading in or out is paler than it is while shown: scan the page once they are gone.
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{where}: " + string.Join("; ", serious.Select(v =>
            $"{v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Take(4).Select(n => $"{n.Target} {(n.Html.Length > 160 ? n.Html[..160] : n.Html)} [{string.Join(" ", n.Any.Select(c => c.Message))}]"))}")));
    }

    /// <summary>
    /// Goes to a page of the running app as its own links do (Blazor's router, no reload): a full page load starts the
    /// WebAssembly client again, which is most of what a browser test costs the machine.
    /// </summary>
    protected static async Task GoAsync(IPage page, string path)
    {
        await page.EvaluateAsync("path => Blazor.navigateTo(path)", path);
        await page.WaitForURLAsync(url => new Uri(url).PathAndQuery == path);
    }

    /// <summary>
    /// Leaves the page for another and comes back through the app's router, as a user following links does: the page is
    /// built again from what the server holds now. Checks that something was kept or changed on the server use this; a
    /// reload is kept where it is the point (what this browser stored, a signed-out start).
    /// </summary>
    protected static async Task RevisitAsync(IPage page, string via = "/nothing-here")
    {
        var path = new Uri(page.Url).PathAndQuery;
        await GoAsync(page, via);
        await Assertions.Expect(via == "/login" ? Field(page, "email") : page.GetByText("That page does not exist")).ToBeVisibleAsync();
        await GoAsync(page, path);
    }

    protected static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/login");
        await Field(page, "email").FillAsync(email);
        await Field(page, "password").FillAsync(PlatformFixture.Password);
        await page.GetByTestId("submit").ClickAsync();
    }

    /// <summary>On a phone the drawer is closed: open it from the menu button first.</summary>
    protected static async Task NavigateAsync(IPage page, int width, string href)
    {
        if (width < 960)
        {
            await page.GetByTestId("menu-toggle").ClickAsync();
        }
        await page.GetByTestId("nav").Locator($"a[href='{href}']").ClickAsync();
        await page.WaitForURLAsync(new Regex(Regex.Escape(href) + "$"));
    }
}

[Collection("Browser")]
public sealed class BrowserTests(SqlitePlatform platform, Chromium chromium) : BrowserTest(platform, chromium)
{
    // At desktop size: the newcomer's walk below goes through the phone's drawer, sign-out and sign-up form.
    [Theory]
    [InlineData(1280, 800)]
    public async Task Sign_up_brand_invite_and_sign_out(int width, int height)
    {
        var page = await NewPageAsync(width, height);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        var organization = "Browser Org " + Guid.NewGuid().ToString("N")[..6];
        var email = PlatformFixture.NewEmail("founder");

        await page.GotoAsync("/");
        await page.WaitForURLAsync(new Regex("/login$"));
        await page.GetByTestId("to-register").ClickAsync();
        await Field(page, "organization").FillAsync(organization);
        await Field(page, "display-name").FillAsync("Fay Founder");
        await Field(page, "email").FillAsync(email);
        await Field(page, "password").FillAsync(PlatformFixture.Password);
        await page.GetByTestId("submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("welcome")).ToContainTextAsync("Fay Founder");
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync(organization);

        // Branding: a new primary colour repaints the app bar.
        await NavigateAsync(page, width, "/settings");
        await Field(page, "primary-color").FillAsync("#AA2200");
        await page.GetByTestId("save-settings").ClickAsync();
        await Assertions.Expect(page.GetByTestId("app-bar")).ToHaveCSSAsync("background-color", "rgb(170, 34, 0)");
        // The feature switches read as features, public sharing off for a new organisation.
        await Assertions.Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Public sharing and embedding" })).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Model training" })).ToBeCheckedAsync();

        // Invite a colleague; the invitation is listed and really emailed.
        var invitee = PlatformFixture.NewEmail("colleague");
        await NavigateAsync(page, width, "/users");
        await Field(page, "invite-email").FillAsync(invitee);
        await page.GetByTestId("invite").ClickAsync();
        await Assertions.Expect(page.GetByTestId("invitations-table")).ToContainTextAsync(invitee);
        Assert.False(string.IsNullOrEmpty(await Platform.InvitationTokenAsync(invitee)));

        // The theme follows the operating system until the user picks one; the pick survives a reload.
        const string background = "getComputedStyle(document.body).backgroundColor";
        var light = await page.EvaluateAsync<string>(background);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await Assertions.Expect(page.Locator("body")).Not.ToHaveCSSAsync("background-color", light);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await Assertions.Expect(page.Locator("body")).ToHaveCSSAsync("background-color", light);
        // The switch shows at once and saves the choice to the profile; the reload waits for that save.
        await page.RunAndWaitForResponseAsync(() => page.GetByTestId("dark-toggle").ClickAsync(),
            r => r.Request.Method == "PUT" && r.Url.Contains("/users/profile", StringComparison.Ordinal) && r.Ok);
        await Assertions.Expect(page.Locator("body")).Not.ToHaveCSSAsync("background-color", light);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("body")).Not.ToHaveCSSAsync("background-color", light);

        // Sign out.
        await page.GetByTestId("account-menu").ClickAsync();
        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync(new Regex("/login$"));
        await page.EvaluateAsync("path => Blazor.navigateTo(path)", "/users");
        await page.WaitForURLAsync(new Regex("/login$"));

        // Signing in again restores the branded shell.
        await Field(page, "email").FillAsync(email);
        await Field(page, "password").FillAsync(PlatformFixture.Password);
        await page.GetByTestId("submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("app-bar")).ToHaveCSSAsync("background-color", "rgb(170, 34, 0)");
        Assert.DoesNotContain(errors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_invitee_joins_from_the_link_in_the_email()
    {
        var tenant = await Platform.NewTenantAsync("Link Org");
        var invitee = PlatformFixture.NewEmail("joiner");
        (await tenant.Admin.Users.InviteAsync(new Contracts.Identity.InviteUserRequest(invitee, Contracts.Identity.Role.Analyst))).EnsureValue();
        var token = await Platform.InvitationTokenAsync(invitee);
        var page = await NewPageAsync(1280, 800);

        await page.GotoAsync("/register?invitation=" + Uri.EscapeDataString(token));
        await Assertions.Expect(Field(page, "email")).ToHaveValueAsync(invitee);
        await Field(page, "password").FillAsync(PlatformFixture.Password);
        await page.GetByTestId("submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Link Org");

        // Signing out works when the server cannot be told (offline): this browser forgets the session regardless.
        await page.RouteAsync("**/api/v1/users/logout", route => route.AbortAsync("internetdisconnected"));
        await page.GetByTestId("account-menu").ClickAsync();
        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync(new Regex("/login$"));
        // Back online for the reload: while a route is set every request of the page goes through the test's driver, and the
        // client's 200-odd files reloaded that way once took longer than a minute on a loaded machine.
        await page.UnrouteAllAsync();
        // Waiting for the document, not for every file's load event: under a full run's load the latter once passed a minute.
        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await Assertions.Expect(Field(page, "email")).ToBeVisibleAsync();
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_finds_suspends_and_reactivates_a_tenant_and_moves_it_to_another_plan()
    {
        var name = "Ops Target " + Guid.NewGuid().ToString("N")[..6];
        var tenant = await Platform.NewTenantAsync(name);
        var email = PlatformFixture.NewEmail("ops");
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            await Astralytiq.Identity.IdentityModule.GetAccountCommands(scope.ServiceProvider).CreateOperatorAsync(email, PlatformFixture.Password, CancellationToken.None);
        }
        var page = await NewPageAsync(1280, 800);

        await SignInAsync(page, email);
        // The operator's menu leads to what an operator can open: no organisation's data pages (they answered 403).
        await Assertions.Expect(page.GetByTestId("operator-home")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-main-content")).Not.ToContainTextAsync("· plan");
        await Assertions.Expect(page.Locator(".mud-main-content a[href='/data']")).ToHaveCountAsync(0);
        foreach (var tenantPage in new[] { "/data", "/data/sql", "/models", "/dashboards", "/jobs" })
        {
            await Assertions.Expect(page.GetByTestId("nav").Locator($"a[href='{tenantPage}']")).ToHaveCountAsync(0);
        }
        await NavigateAsync(page, 1280, "/operator/tenants");
        await Field(page, "tenant-search").FillAsync(name);
        await page.GetByTestId("tenant-refresh").ClickAsync();
        var row = page.GetByTestId("tenants-table").Locator("tr", new() { HasText = name });
        var status = row.Locator(".mud-chip");
        await Assertions.Expect(status).ToHaveTextAsync("active");

        // The plan column is a choice of the configured plans; picking one moves the tenant at once.
        var plan = row.GetByRole(AriaRole.Combobox, new() { Name = "Plan" });
        await Assertions.Expect(plan).ToHaveValueAsync("Free");
        await plan.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Pro", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("pro plan from now on");
        await Assertions.Expect(plan).ToHaveValueAsync("Pro");
        Assert.Equal("pro", (await tenant.Admin.Tenant.GetUsageAsync()).EnsureValue().Plan);

        // Its billing: credit given from the panel shows on its subscription.
        await row.GetByTestId("tenant-billing").ClickAsync();
        var billing = page.GetByTestId("tenant-billing-panel");
        await Assertions.Expect(billing.GetByTestId("tenant-subscription")).ToContainTextAsync("Pro v1, active");
        await billing.GetByLabel("Credit (USD)").FillAsync("12.5");
        await billing.GetByLabel("Reason (shown to them)").FillAsync("Welcome");
        await billing.GetByTestId("credit-grant").ClickAsync();
        await Assertions.Expect(billing.GetByTestId("tenant-subscription")).ToContainTextAsync("Credit: 12.50 USD");
        Assert.Equal(1_250, (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue().CreditBalanceCents);

        await row.GetByTestId("suspend").ClickAsync();
        await Assertions.Expect(status).ToHaveTextAsync("suspended");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized,
            (await Platform.NewClient().LoginAsync(new Contracts.Identity.LoginRequest(tenant.AdminUser.Email, tenant.AdminPassword))).Status);

        await row.GetByTestId("reactivate").ClickAsync();
        await Assertions.Expect(status).ToHaveTextAsync("active");
        (await Platform.NewClient().LoginAsync(new Contracts.Identity.LoginRequest(tenant.AdminUser.Email, tenant.AdminPassword))).EnsureSuccess();

        // A plan made from the Plans page: named, priced, without webhooks, with a datasets limit, private (the host is
        // shared: an offered plan would change every other test's plan comparison); saved as version 1.
        var code = "web_" + Guid.NewGuid().ToString("N")[..6];
        await NavigateAsync(page, 1280, "/operator/plans");
        await page.GetByTestId("plan-new").ClickAsync();
        var editor = page.GetByTestId("plan-editor");
        await editor.GetByLabel("Code").FillAsync(code);
        await editor.GetByLabel("Name").FillAsync("Web made");
        await editor.GetByLabel("Price a month").FillAsync("15");
        await editor.GetByTestId("plan-features").GetByText("Webhooks").ClickAsync();
        await editor.GetByLabel("Datasets").FillAsync("1500");
        await editor.GetByTestId("plan-public").ClickAsync();
        await editor.GetByTestId("plan-save").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Web made saved" })).ToContainTextAsync("Web made saved as version 1");
        var made = page.GetByTestId("plans-table").Locator("tr", new() { HasText = code });
        await Assertions.Expect(made).ToContainTextAsync("15.00 USD");
        await Assertions.Expect(made).ToContainTextAsync("Datasets 1,500");
        await Assertions.Expect(made).ToContainTextAsync("private");
        var operatorClient = Platform.NewClient();
        (await operatorClient.LoginAsync(new Contracts.Identity.LoginRequest(email, PlatformFixture.Password))).EnsureSuccess();
        var saved = (await operatorClient.Operator.Billing.ListPlansAsync()).EnsureValue().Single(p => p.Name == code);
        Assert.False(saved.Public);
        Assert.DoesNotContain("webhooks", saved.Features!);
        Assert.Equal(1_500, saved.Limits["datasets"]);
    }

    [Fact]
    public async Task Two_step_sign_in_is_turned_on_from_the_profile_and_asked_for_at_the_next_sign_in()
    {
        var tenant = await Platform.NewTenantAsync("Two Step Org");
        var page = await NewPageAsync(1280, 800);
        await SignInAsync(page, tenant.AdminUser.Email);
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Two Step Org");

        // An API key without a scope is refused, and the page says why (the list reload once hid the error).
        await NavigateAsync(page, 1280, "/api-keys");
        await Field(page, "key-name").FillAsync("ci key");
        // The page offers datasets:read; untick it.
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Scopes" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "datasets:read", Exact = true }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.GetByTestId("create-key").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("at least one scope is required");
        await Assertions.Expect(page.GetByTestId("new-key")).ToHaveCountAsync(0);

        await NavigateAsync(page, 1280, "/profile");
        await Field(page, "mfa-password").FillAsync(PlatformFixture.Password);
        await page.GetByTestId("mfa-setup").ClickAsync();
        await Assertions.Expect(page.GetByTestId("mfa-qr")).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("mfa-secret").InnerTextAsync()).Trim();
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret));
        await Field(page, "mfa-confirm-code").FillAsync(totp.ComputeTotp(ServerNow()));
        await page.GetByTestId("mfa-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("p")).ToHaveCountAsync(10);

        // A fresh browser session (signing out through the menu is covered by the sign-up test).
        await page.EvaluateAsync("localStorage.clear()");
        await SignInAsync(page, tenant.AdminUser.Email);
        // The password was right: the form now asks for the code, without an error yet.
        await Assertions.Expect(Field(page, "totp-code")).ToBeVisibleAsync();
        await Field(page, "totp-code").FillAsync(totp.ComputeTotp(ServerNow().AddSeconds(30)));
        await page.GetByTestId("submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Two Step Org");
    }

    [Fact]
    public async Task A_csv_uploaded_in_the_browser_is_listed_and_previewed()
    {
        var tenant = await Platform.NewTenantAsync("Data Org");
        var page = await NewPageAsync(1280, 800);
        await SignInAsync(page, tenant.AdminUser.Email);
        await NavigateAsync(page, 1280, "/data");

        await Field(page, "dataset-name").FillAsync("Orders");
        await page.Locator("input[data-testid=dataset-file]").SetInputFilesAsync(new FilePayload
        {
            Name = "orders.csv",
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes("order,amount,shipped\nA-1,12.50,2024-02-01\nA-2,7.25,2024-02-03\n"),
        });

        // The dataset opens on a page of its own, at its own address.
        await page.WaitForURLAsync(new Regex("/data/datasets/[0-9a-f-]{36}$"));
        var datasetUrl = page.Url;
        await Assertions.Expect(page.GetByTestId("dataset-title")).ToHaveTextAsync("Orders");
        await Assertions.Expect(page.GetByTestId("dataset-summary")).ToContainTextAsync("v1 · 2 rows · 3 columns · from orders.csv");
        var grid = page.GetByTestId("preview-grid");
        await Assertions.Expect(grid).ToContainTextAsync("A-2");
        await Assertions.Expect(grid).ToContainTextAsync("2024-02-03");
        await Assertions.Expect(page.GetByTestId("dataset-tabs")).ToContainTextAsync("amount: decimal");
        // Sorted on the server by clicking the column name: ascending, then descending.
        await page.GetByTestId("sort-amount").ClickAsync();
        await Assertions.Expect(grid.Locator("tbody tr", new() { Has = page.Locator("td") }).First).ToContainTextAsync("A-2");
        await page.GetByTestId("sort-amount").ClickAsync();
        await Assertions.Expect(grid.Locator("tbody tr", new() { Has = page.Locator("td") }).First).ToContainTextAsync("A-1");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Profile" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("profile")).ToContainTextAsync("amount · decimal");
        await Assertions.Expect(page.GetByTestId("histogram").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Quality" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quality-score")).ToContainTextAsync("Quality score 100 / 100");

        // A rule added from the page, saved, checked at once, and still there on the next visit.
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Add a rule for" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "amount", Exact = true }).ClickAsync();
        await page.GetByTestId("rule-add").ClickAsync();
        await page.GetByLabel("Max").FillAsync("10");
        await page.GetByLabel("Max").PressAsync("Tab");
        await page.GetByTestId("rules-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("quality-score")).ToContainTextAsync("checked against 1 rule");
        await Assertions.Expect(page.GetByTestId("quality-issues")).ToContainTextAsync("amount");
        Assert.Equal(10, (await tenant.Admin.Datasets.GetRulesAsync(Guid.Parse(datasetUrl[^36..]))).EnsureValue().Columns.Single().Max);
        await GoAsync(page, "/data");
        await GoAsync(page, new Uri(datasetUrl).AbsolutePath + "?tab=quality");
        await Assertions.Expect(page.GetByLabel("Max")).ToHaveValueAsync("10");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Lineage" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("lineage")).ToContainTextAsync("from orders.csv (upload) · 2 rows");

        // A derived column, previewed live, applied as version 2, and found in the lineage.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Transform" }).ClickAsync();
        await page.GetByTestId("transform-add").ClickAsync();
        await Field(page, "transform-name").FillAsync("doubled");
        await Field(page, "transform-expression").FillAsync("amount * 2 + 0.5");
        await Field(page, "transform-expression").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("transform-preview-grid")).ToContainTextAsync("25.5");
        await Assertions.Expect(page.GetByTestId("transform-summary")).ToContainTextAsync("2 rows · 4 columns");
        await page.GetByTestId("transform-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("dataset-summary")).ToContainTextAsync("v2 · 2 rows · 4 columns");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Preview" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("dataset-tabs")).ToContainTextAsync("doubled: decimal");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Lineage" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("lineage")).ToContainTextAsync("from Orders v1 (transform)");
        // No step reads "from" with nothing after it.
        foreach (var line in await page.GetByTestId("lineage-line").AllInnerTextsAsync())
        {
            Assert.DoesNotMatch(new Regex("from\\s*(·|$)"), line);
        }
        // Drawn as a graph too: the file into version 1, version 1 into version 2.
        await Assertions.Expect(page.Locator("[data-testid=lineage-graph] g[data-edge='source:1>version:1']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=lineage-graph] g[data-edge='version:1>version:2']")).ToContainTextAsync("transform");

        await NavigateAsync(page, 1280, "/data/sql");
        var editor = page.Locator("textarea[data-testid=sql-text]");
        await editor.FillAsync("SELECT sum(amount) AS total FROM Orders");
        await page.GetByTestId("sql-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sql-grid")).ToContainTextAsync("19.75");
        // Exported as CSV with the stored values.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("sql-export").ClickAsync());
        Assert.Equal("total\r\n19.75\r\n", await File.ReadAllTextAsync(await download.PathAsync()));

        // The datasets and their columns are listed; a name is suggested as it is typed, and Tab takes it (quoted: "order" is a SQL word).
        await Assertions.Expect(page.GetByTestId("sql-schema")).ToContainTextAsync("Orders");
        await editor.FillAsync("");
        await editor.PressSequentiallyAsync("SELECT ord");
        await Assertions.Expect(page.GetByTestId("sql-suggestions")).ToContainTextAsync("order");
        await editor.PressAsync("Tab");
        await Assertions.Expect(editor).ToHaveValueAsync("SELECT \"order\"");
        // A name is found by any part of it too: "oubl" offers doubled.
        await editor.PressSequentiallyAsync(", oubl");
        await Assertions.Expect(page.GetByTestId("sql-suggestions")).ToContainTextAsync("doubled");
        await editor.PressAsync("Tab");
        await Assertions.Expect(editor).ToHaveValueAsync("SELECT \"order\", doubled");
        await editor.PressSequentiallyAsync(", amount FROM Orders ORDER BY 1");
        await editor.PressAsync("Control+Enter");
        await Assertions.Expect(page.GetByTestId("sql-summary")).ToContainTextAsync("2 rows");
        // Charted: the first number by the first column, and any other number picked instead.
        await page.GetByTestId("sql-chart-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sql-bars] [data-bar=A-1]")).ToContainTextAsync("25.5");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Measure" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "amount", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=sql-bars] [data-bar=A-1]")).ToContainTextAsync("12.5");
        // Kept as a widget of a dashboard, which runs the query again whenever it shows it.
        var board = (await tenant.Admin.Dashboards.CreateAsync(new Contracts.Dashboards.CreateDashboardRequest("Orders board", new Contracts.Dashboards.DashboardDefinitionDto([])))).EnsureValue();
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Add to dashboard" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Orders board", Exact = true }).ClickAsync();
        await Field(page, "sql-widget-title").FillAsync("Amount by order");
        await page.GetByTestId("sql-widget-save").ClickAsync();
        await page.WaitForURLAsync(new Regex($"/dashboards/{board.Id}$"));
        await Assertions.Expect(page.Locator("[data-bar=A-1]")).ToContainTextAsync("12.5");
        var widget = Assert.Single((await tenant.Admin.Dashboards.GetAsync(board.Id)).EnsureValue().Definition.Widgets);
        Assert.Equal(("bar", "Amount by order", "SELECT \"order\", amount\nFROM (\nSELECT \"order\", doubled, amount FROM Orders ORDER BY 1\n) AS q"), (widget.Type, widget.Title, widget.Sql));
        (await tenant.Admin.Dashboards.DeleteAsync(board.Id)).EnsureSuccess(); // it would keep the dataset from being deleted below
        // Each query run is kept in this browser's history: a new workspace reads it back from the browser's storage.
        await GoAsync(page, "/data/sql");
        await page.GetByTestId("sql-history").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Menuitem).First).ToContainTextAsync("SELECT \"order\", doubled, amount FROM Orders ORDER BY 1");

        // Deleting asks first: cancelled, the dataset stays; confirmed, it goes.
        await NavigateAsync(page, 1280, "/data");
        var row = page.GetByTestId("datasets-table").Locator("tr", new() { HasText = "Orders" });
        await row.GetByTestId("dataset-delete").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Delete 'Orders' with its 2 version(s)?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("datasets-table")).ToContainTextAsync("Orders");
        Assert.Single((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
        await row.GetByTestId("dataset-delete").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("datasets-table")).Not.ToContainTextAsync("Orders");
        Assert.Empty((await tenant.Admin.Datasets.ListAsync()).EnsureValue().Items);
    }

    [Fact]
    public async Task An_api_is_imported_from_a_form_and_steps_saved_as_a_pipeline_run_from_its_page()
    {
        await using var server = new LocalJsonServer(_ => "[{\"station\":\"north\",\"temp\":3.5},{\"station\":\"south\",\"temp\":-1.5}]");
        var tenant = await Platform.NewTenantAsync("Pipe Org");
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        await NavigateAsync(page, 1280, "/data");

        await page.GetByText("Or import from an API or a database").ClickAsync();
        await Field(page, "source-name").FillAsync("Readings");
        await Field(page, "source-url").FillAsync(server.Url("/readings"));
        await Field(page, "source-url").PressAsync("Tab");
        await page.GetByTestId("source-submit").ClickAsync();
        // The import's answer: the new dataset's own page, or the error the form shows (failing with its words).
        var imported = page.GetByTestId("dataset-title");
        await Assertions.Expect(imported.Or(page.GetByTestId("error")).First).ToBeVisibleAsync();
        Assert.False(await page.GetByTestId("error").IsVisibleAsync(), "the import was refused: " + string.Join(" ", await page.GetByTestId("error").AllInnerTextsAsync()));
        await Assertions.Expect(imported).ToHaveTextAsync("Readings");
        await Assertions.Expect(page.GetByTestId("preview-grid")).ToContainTextAsync("south");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Transform" }).ClickAsync();
        await page.GetByTestId("transform-add").ClickAsync();
        await Field(page, "transform-name").FillAsync("warm");
        await Field(page, "transform-expression").FillAsync("temp > 0");
        await Field(page, "transform-expression").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("transform-preview-grid")).ToContainTextAsync("warm");
        await page.GetByText("Or save these steps as a pipeline").ClickAsync();
        await page.GetByLabel("Pipeline name").FillAsync("Warm check");
        await page.GetByLabel("Output dataset").FillAsync("Warm readings");
        await page.GetByLabel("Output dataset").PressAsync("Tab");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save pipeline" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Pipeline Warm check saved")).ToBeVisibleAsync();

        await NavigateAsync(page, 1280, "/data/pipelines");
        var row = page.GetByTestId("pipelines-table").Locator("tr", new() { HasText = "Warm check" });
        await Assertions.Expect(row).ToContainTextAsync("derive");
        await row.GetByTestId("pipeline-run").ClickAsync();
        await Assertions.Expect(row.Locator(".mud-chip")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(page.GetByTestId("pipeline-runs")).ToContainTextAsync("v1 · 2 rows");

        // The plan's meters: two datasets, two rows ingested (the pipeline read a dataset, not the outside).
        // The API calls counted in memory are written first, so the breakdown by user has them.
        await Platform.Services.GetRequiredService<Astralytiq.Platform.Quotas.HotMeterWriter>().FlushAsync(CancellationToken.None);
        await NavigateAsync(page, 1280, "/billing");
        await Assertions.Expect(page.GetByTestId("plan")).ToHaveTextAsync("Limits of the Free plan");
        await Assertions.Expect(page.GetByTestId("usage")).ToContainTextAsync("Datasets2 of 1,000,000,000");
        await Assertions.Expect(page.GetByTestId("usage")).ToContainTextAsync("Rows ingested2 of");
        // Meters in words and bytes in units; nothing promised for "a coming release".
        await Assertions.Expect(page.GetByTestId("usage")).ToContainTextAsync(new Regex(@"Data received[\d.]+ (KiB|MiB|GiB) of unlimited in [A-Z][a-z]+ \d{4}"));
        await Assertions.Expect(page.Locator(".mud-main-content")).Not.ToContainTextAsync("bytes_ingested");
        await Assertions.Expect(page.Locator(".mud-main-content")).Not.ToContainTextAsync("coming release");
        // Use over time: the API calls of this month by day and by person, named as people are.
        await Assertions.Expect(page.GetByTestId("usage-total")).ToContainTextAsync(new Regex(@"^API calls: [\d,]+ from 1 [A-Z][a-z]{2} \d{4} to "));
        await Assertions.Expect(page.GetByTestId("usage-daily")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("usage-top-users")).ToContainTextAsync("Test Admin");
    }

    [Fact]
    public async Task An_admin_upgrades_on_the_billing_page_and_downloads_the_periods_invoice()
    {
        var tenant = await Platform.NewTenantOnPlanAsync("starter");
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        await NavigateAsync(page, 1280, "/billing");
        await Assertions.Expect(page.GetByTestId("subscription-plan")).ToHaveTextAsync("Starter plan");
        await Assertions.Expect(page.GetByTestId("invoices-empty")).ToBeVisibleAsync();
        // Team costs more: an upgrade, explained before it happens, at once.
        await page.GetByTestId("choose-team").ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-confirm")).ToContainTextAsync("Move to the Team plan now");
        await Assertions.Expect(page.GetByTestId("plan-confirm")).ToContainTextAsync(new Regex(@"about [\d.]+ USD for the (\d+ days?|less than a day) left of it at 29.00 USD a month, instead of [\d.]+ USD on the Starter plan"));
        await page.GetByTestId("plan-confirm-yes").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subscription-plan")).ToHaveTextAsync("Team plan");
        // Moments on the plans before (free, then Starter) cost nothing and are not shown; Team's days are.
        await Assertions.Expect(page.GetByTestId("upcoming-invoice")).ToContainTextAsync(new Regex(@"Team plan, \d+–\d+ [A-Z][a-z]+ \d{4} \([\d.]+ of \d+ days\)"));
        await Assertions.Expect(page.GetByTestId("upcoming-invoice")).Not.ToContainTextAsync("0 of");
        await Assertions.Expect(page.GetByTestId("plan")).ToHaveTextAsync("Limits of the Team plan");
        // Back to Starter: at the period's end, and it can be called off.
        await page.GetByTestId("choose-starter").ClickAsync();
        await page.GetByTestId("plan-confirm-yes").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subscription-pending")).ToContainTextAsync("moves to the Starter plan on 1 ");
        await page.GetByTestId("reactivate-subscription").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subscription-pending")).ToHaveCountAsync(0);

        // The period ends: its invoice is listed and downloads as a PDF.
        var subscription = (await tenant.Admin.Billing.GetSubscriptionAsync()).EnsureValue();
        await using (var scope = Platform.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<Astralytiq.Platform.Tenancy.ITenantContext>().BeginTenantScope(tenant.Id);
            await scope.ServiceProvider.GetRequiredService<Astralytiq.Billing.Subscriptions.SubscriptionService>().AdvanceAsync(tenant.Id, subscription.PeriodEnd.AddHours(1), CancellationToken.None);
        }
        await page.ReloadAsync();
        var row = page.GetByTestId("invoices").Locator("tbody tr").First;
        await Assertions.Expect(row).ToContainTextAsync(new Regex(@"INV-\d{6}"));
        await Assertions.Expect(row).ToContainTextAsync(new Regex(@"[\d,]+\.\d{2} USD"));
        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByTestId("invoice-pdf").ClickAsync());
        Assert.Matches(@"^invoice-INV-\d{6}\.pdf$", download.SuggestedFilename);
        await page.GetByTestId("billing-email").FillAsync("not-an-email");
        await page.GetByTestId("billing-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("billing_email must be one email address");
        var phone = await NewPageAsync(390, 844);
        await SignInAsync(phone, tenant.AdminUser.Email);
        await NavigateAsync(phone, 390, "/billing");
        await Assertions.Expect(phone.GetByTestId("subscription-plan")).ToHaveTextAsync("Team plan");
        await Assertions.Expect(phone.GetByTestId("invoices")).ToContainTextAsync("USD");
    }

    [Fact]
    public async Task A_deployment_is_made_in_the_browser_its_shares_moved_with_a_slider_and_rolled_back_in_one_click()
    {
        var tenant = await Platform.NewTenantAsync("Deploy Org");
        var data = await Astralytiq.Tests.ML.MlData.UploadAsync(tenant.Admin, Astralytiq.Tests.ML.MlData.Houses(120));
        foreach (var algorithm in new[] { "linear", "fast_tree" })
        {
            await Astralytiq.Tests.ML.MlData.TrainAsync(tenant.Admin, new TrainModelRequest("prices", data.Id, "regression", "price", Features: ["rooms", "area", "city"], Algorithm: algorithm, CvFolds: 2, Seed: 3));
        }
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        // Signed in means at home: navigating before the sign-in lands would be undone by its redirect.
        await page.WaitForURLAsync(new Regex("/$"));
        await NavigateAsync(page, 1280, "/deployments");
        await Assertions.Expect(page.GetByTestId("deployments-empty")).ToBeVisibleAsync();
        await page.GetByTestId("deployment-name").FillAsync("Listing Page");
        await page.GetByTestId("deployment-model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "prices", Exact = true }).ClickAsync();
        // The newest two ready versions are offered as A and B; B as an A/B variant at 10 %.
        await Assertions.Expect(page.GetByTestId("deployment-version-a")).ToContainTextAsync("v1");
        await Assertions.Expect(page.GetByTestId("deployment-version-b")).ToContainTextAsync("v2");
        await page.GetByTestId("deployment-submit").ClickAsync();
        // A name with capitals and a space is refused with the rule, and nothing is made.
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("lower-case letters");
        await page.GetByTestId("deployment-name").FillAsync("listing-page");
        await page.GetByTestId("deployment-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("deployment-title")).ToHaveTextAsync("listing-page");
        await Assertions.Expect(page.GetByTestId("deployment-variants")).ToContainTextAsync("90 %");
        await Assertions.Expect(page.GetByTestId("deployment-variants")).ToContainTextAsync("10 %");

        // Traffic shows per variant with people's numbers.
        var feedback = new List<FeedbackItemDto>();
        for (var i = 0; i < 40; i++)
        {
            var answer = (await tenant.Admin.Deployments.PredictAsync("listing-page", new DeploymentPredictRequest(Row: new System.Text.Json.Nodes.JsonObject { ["rooms"] = 1 + (i % 5), ["area"] = 50.0 + i, ["city"] = "Oslo" }))).EnsureValue();
            feedback.Add(new FeedbackItemDto(answer.Predictions.Single().PredictionId, Actual: System.Text.Json.Nodes.JsonValue.Create((50 * (1 + (i % 5))) + (0.8 * (50.0 + i)) + 10 + (i % 3))));
        }
        (await tenant.Admin.Deployments.FeedbackAsync("listing-page", new FeedbackRequest(Items: feedback))).EnsureValue();
        await page.GetByLabel("Refresh the traffic figures").ClickAsync();
        await Assertions.Expect(page.GetByTestId("deployment-metrics")).ToContainTextAsync(new Regex(@"mean [\d,]+\.\d"));
        await Assertions.Expect(page.GetByTestId("deployment-metrics")).ToContainTextAsync(" ms / ");
        await Assertions.Expect(page.GetByTestId("chart-requests")).ToBeVisibleAsync();
        // Drift of those inputs (all in Oslo, small flats) against the training data, measured on request.
        await Assertions.Expect(page.GetByTestId("drift-none")).ToBeVisibleAsync();
        await page.GetByTestId("drift-measure").ClickAsync();
        await Assertions.Expect(page.GetByTestId("drift-latest")).ToContainTextAsync("40 predictions against version 1 of prices");
        await Assertions.Expect(page.GetByTestId("drift-features")).ToContainTextAsync("Kolmogorov–Smirnov");
        await Assertions.Expect(page.GetByTestId("drift-features")).ToContainTextAsync("chi-square");
        await Assertions.Expect(page.GetByTestId("drift-features").Locator("tr", new() { HasText = "city" })).ToContainTextAsync("drifted");

        // The slider moves b's share; the sum must be 100 before it saves; the change is a revision with its reason.
        var slider = page.Locator("[data-testid=weight-b] input, input[data-testid=weight-b]");
        await slider.FocusAsync();
        for (var i = 0; i < 15; i++)
        {
            await page.Keyboard.PressAsync("ArrowRight");
        }
        await Assertions.Expect(page.GetByTestId("weights-sum")).ToContainTextAsync("must add up to 100 %");
        var sliderA = page.Locator("[data-testid=weight-a] input, input[data-testid=weight-a]");
        await sliderA.FocusAsync();
        for (var i = 0; i < 15; i++)
        {
            await page.Keyboard.PressAsync("ArrowLeft");
        }
        await Assertions.Expect(page.GetByTestId("weights-sum")).ToHaveTextAsync(new Regex(@"Together: 100 %\s*$"));
        await page.GetByTestId("weights-reason").FillAsync("b holds up");
        await page.GetByTestId("weights-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("deployment-revisions")).ToContainTextAsync("weights: b holds up");
        Assert.Equal([75d, 25d], (await tenant.Admin.Deployments.GetAsync("listing-page")).EnsureValue().Variants.Select(v => v.Weight));

        // One click serves the revision before again.
        await page.GetByTestId("deployment-rollback").ClickAsync();
        await Assertions.Expect(page.GetByTestId("deployment-revisions")).ToContainTextAsync("rolled back: back to revision 1");
        Assert.Equal([90d, 10d], (await tenant.Admin.Deployments.GetAsync("listing-page")).EnsureValue().Variants.Select(v => v.Weight));

        // The actual values sent for the 40 predictions give each variant's quality next to its training figure.
        await Assertions.Expect(page.GetByTestId("quality-coverage")).ToContainTextAsync("40 of 40 logged predictions have an actual value (100 %)");
        await Assertions.Expect(page.GetByTestId("quality-variants")).ToContainTextAsync("prices v1");

        // A retraining policy is set in words people read back; a retraining started by hand is listed with its decision.
        await page.GetByText("Change the policy").ClickAsync();
        await page.GetByTestId("policy-decay").FillAsync("0.05");
        await page.GetByTestId("policy-min").FillAsync("30");
        await page.GetByTestId("policy-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("retraining-policy")).ToContainTextAsync("Retrains by itself when its R² is worse than at training by 0.05 on at least 30 labelled predictions");
        await page.GetByTestId("retrain-now").ClickAsync();
        await Assertions.Expect(page.GetByTestId("retraining-runs")).ToContainTextAsync("Manual: started by hand");
        await Assertions.Expect(page.GetByTestId("retraining-runs")).ToContainTextAsync("v1 → v3");

        var phone = await NewPageAsync(390, 844);
        await SignInAsync(phone, tenant.AdminUser.Email);
        await phone.WaitForURLAsync(new Regex("/$"));
        await NavigateAsync(phone, 390, "/deployments");
        await phone.GetByTestId("deployment-link").ClickAsync();
        await Assertions.Expect(phone.GetByTestId("deployment-revisions")).ToContainTextAsync("b holds up");
        await Assertions.Expect(phone.GetByTestId("retraining-runs")).ToContainTextAsync("v1 → v3");
    }

    [Fact]
    public async Task Features_outside_the_plan_are_marked_in_the_menu_and_a_refusal_links_to_the_plans()
    {
        var tenant = await Platform.NewTenantOnPlanAsync("starter");
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        await NavigateAsync(page, 1280, "/webhooks");
        // Starter has API keys, not the SQL workspace or webhooks.
        await Assertions.Expect(page.GetByTestId("gated-sql_workspace")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("gated-webhooks")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("gated-api_keys")).ToHaveCountAsync(0);
        await page.GetByPlaceholder("https://example.com/hooks/astralytiq").FillAsync("https://example.com/hook");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        var error = page.GetByTestId("error");
        await Assertions.Expect(error).ToContainTextAsync("Webhooks is not in the starter plan; the team plan includes it");
        // The refusal's details are for programs: the page offers the way to the plans instead.
        await Assertions.Expect(error.Locator("li")).ToHaveCountAsync(0);
        await error.GetByTestId("error-plans-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-comparison")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_model_is_trained_from_the_wizard_and_explains_a_prediction_made_in_the_browser()
    {
        var tenant = await Platform.NewTenantAsync("Model Org");
        // With an id column: a different number in every row.
        var houses = string.Join("\n", Astralytiq.Tests.ML.MlData.Houses(150).Split('\n').Select((line, i) => line.Length == 0 ? line : (i == 0 ? "id," : i + ",") + line));
        (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(houses)), "houses.csv", name: "Houses")).EnsureValue();
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        await NavigateAsync(page, 1280, "/models");

        // The wizard opens on the newest dataset with its last numeric column as the target (price); leave out the leaky columns.
        await Assertions.Expect(page.GetByTestId("train-target")).ToContainTextAsync("price");
        // The identifier starts unticked, and the page says why.
        await Assertions.Expect(page.GetByTestId("train-identifiers")).ToContainTextAsync("Left out: id has a different value in every row");
        var features = page.GetByTestId("train-features");
        await Assertions.Expect(features.GetByRole(AriaRole.Checkbox, new() { Name = "id", Exact = true })).Not.ToBeCheckedAsync();
        // Trying another target and coming back keeps every feature: area is ticked again (it once vanished).
        var target = page.GetByRole(AriaRole.Combobox, new() { Name = "Target (the column to predict)" });
        await target.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "area · decimal" }).ClickAsync();
        await Assertions.Expect(target).ToHaveTextAsync(new Regex("^area"));
        await Assertions.Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
        await target.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "price · decimal" }).ClickAsync();
        await Assertions.Expect(target).ToHaveTextAsync(new Regex("^price"));
        await Assertions.Expect(features.GetByRole(AriaRole.Checkbox, new() { Name = "area", Exact = true })).ToBeCheckedAsync();
        await page.GetByTestId("train-features").GetByText("expensive").ClickAsync();
        await page.GetByTestId("train-features").GetByText("tier").ClickAsync();
        await Field(page, "train-name").FillAsync("House prices");
        await page.GetByLabel("Trials").FillAsync("4");
        await page.GetByLabel("CV folds").FillAsync("3");
        await page.GetByTestId("train-start").ClickAsync();

        // Training shows its progress, then opens the model.
        await page.WaitForURLAsync(new Regex("/models/House%20prices$"), new() { Timeout = 120_000 });
        await Assertions.Expect(page.GetByTestId("model-name")).ToHaveTextAsync("House prices");
        await Assertions.Expect(page.GetByTestId("metrics")).ToContainTextAsync("R²");
        // The artifact line is text, not template source ("(269.466796875?.ToString("N0") KiB)" once).
        await Assertions.Expect(page.GetByTestId("artifact")).ToHaveTextAsync(new Regex(@"^Artifact SHA-256 [0-9a-f]{64} \([\d,]+(\.\d)? (KiB|MiB|bytes)\), checked on every load$"));
        await Assertions.Expect(page.GetByTestId("residuals")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Leaderboard" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("leaderboard").Locator("tbody tr")).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Importance" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=importance] g[data-bar=rooms]")).ToHaveCountAsync(1);

        // A prediction from the form generated from the feature schema, with its explanation.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Predict" }).ClickAsync();
        await Field(page, "predict-rooms").FillAsync("4");
        await page.GetByTestId("predict-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("prediction")).ToContainTextAsync("Prediction:");
        // A number for people: thousands separated, at most two decimals at this size (243.796142578125 once).
        await Assertions.Expect(page.GetByTestId("prediction-value")).ToHaveTextAsync(new Regex(@"^Prediction: -?[\d,]+(\.\d{1,2})?$"));
        await Assertions.Expect(page.GetByTestId("prediction")).ToContainTextAsync("90 % interval");
        await Assertions.Expect(page.Locator("[data-testid=contributions] g[data-bar^='rooms = 4']")).ToHaveCountAsync(1);

        // Scoring a dataset starts with nothing picked, said in words (it once showed an empty id, 00000000-…).
        await page.GetByRole(AriaRole.Tab, new() { Name = "Score a dataset" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Dataset" })).Not.ToHaveTextAsync(new Regex("0{8}-"));
        await Assertions.Expect(page.GetByTestId("score-run")).ToBeDisabledAsync();

        // Point production at it; the list shows the alias.
        await page.GetByTestId("alias-set").ClickAsync();
        await Assertions.Expect(page.GetByText("production now points at v1")).ToBeVisibleAsync();
        await NavigateAsync(page, 1280, "/models");
        await Assertions.Expect(page.GetByTestId("models-table")).ToContainTextAsync("production → v1");
        // R² with four decimals, never rounded up to "r2 1".
        await Assertions.Expect(page.GetByTestId("models-table")).ToContainTextAsync(new Regex(@"R² -?\d\.\d{4}"));

        // A forecast trained for 24 months offers 24 steps, not a fixed 12.
        var monthly = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ML.MlData.MonthlySales(60))), "monthly.csv", name: "Monthly")).EnsureValue();
        var forecast = (await tenant.Admin.Models.TrainAsync(new Contracts.ML.TrainModelRequest("Monthly forecast", monthly.Id, "forecasting", "sales", TimeColumn: "month", Horizon: 24))).EnsureValue();
        (await tenant.Admin.Jobs.WaitAsync(forecast.JobId, timeout: TimeSpan.FromMinutes(2))).EnsureSuccess();
        await RevisitAsync(page);
        await page.GetByTestId("models-table").GetByText("Monthly forecast", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Forecast" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Horizon")).ToHaveValueAsync("24");

        // On a dashboard, model widgets load with the others: the forecast drawn after its history, the metrics listed.
        var board = (await tenant.Admin.Dashboards.CreateAsync(new Contracts.Dashboards.CreateDashboardRequest("Forecast board", new Contracts.Dashboards.DashboardDefinitionDto(
        [
            new Contracts.Dashboards.WidgetDto("f", "forecast", new Contracts.Dashboards.GridPositionDto(0, 0, 6, 4), "Next months", Model: new Contracts.Dashboards.WidgetModelDto("Monthly forecast")),
            new Contracts.Dashboards.WidgetDto("m", "model_metrics", new Contracts.Dashboards.GridPositionDto(6, 0, 6, 4), "How good", Model: new Contracts.Dashboards.WidgetModelDto("Monthly forecast")),
        ])))).EnsureValue();
        await GoAsync(page, $"/dashboards/{board.Id}");
        await Assertions.Expect(page.Locator("polyline[data-series=forecast]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("polyline[data-series=actual]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("table-m")).ToContainTextAsync(new Regex("mase", RegexOptions.IgnoreCase));
    }

    [Fact]
    public async Task A_dashboard_is_built_by_drag_and_drop_saved_and_updates_live_in_another_browser()
    {
        var tenant = await Platform.NewTenantAsync("Board Org");
        await tenant.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        var csv = "day,region,amount\n2024-01-05,north,10\n2024-01-20,south,5\n2024-02-03,north,7\n";
        var sales = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), "sales.csv", name: "Sales")).EnsureValue();
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        await NavigateAsync(page, 1280, "/dashboards");
        // The page says what exists, and the template's dataset choice starts empty (it showed 00000000-… once).
        await Assertions.Expect(page.Locator(".mud-main-content")).Not.ToContainTextAsync("coming release");
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Or start from the sales overview of" })).Not.ToHaveTextAsync(new Regex("0{8}-"));
        await Field(page, "dashboard-name").FillAsync("Live sales");
        await page.GetByTestId("dashboard-create").ClickAsync();
        await page.WaitForURLAsync(new Regex("/dashboards/[0-9a-f-]{36}\\?edit=true$"));
        var url = page.Url.Split('?')[0];

        // A bar widget of the sum of amount by region (the editor's defaults for this dataset), dragged and resized on the grid.
        await Field(page, "new-widget-title").FillAsync("By region");
        await page.GetByTestId("new-widget-add").ClickAsync();
        var handle = page.Locator("[data-testid^=widget-handle-]");
        await Assertions.Expect(handle).ToHaveCountAsync(1);
        await handle.DragToAsync(page.Locator("[data-cell='2,1']"), new() { Force = true });
        await page.Locator("[data-testid^=widget-resize-]").DragToAsync(page.Locator("[data-cell='9,3']"), new() { Force = true });
        var widget = page.Locator("[data-widget]");
        await Assertions.Expect(widget).ToHaveAttributeAsync("style", new Regex("grid-column:3 / span 8; grid-row:2 / span 3"));
        await page.GetByTestId("dashboard-save").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved as version 2")).ToBeVisibleAsync();

        // Opened again, it is where it was put, with its data.
        var path = new Uri(url).AbsolutePath;
        await GoAsync(page, "/dashboards");
        await GoAsync(page, path);
        await Assertions.Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Live sales");
        await Assertions.Expect(page.Locator("[data-widget]")).ToHaveAttributeAsync("style", new Regex("grid-column:3 / span 8; grid-row:2 / span 3"));
        await Assertions.Expect(page.Locator("[data-bar=north]")).ToContainTextAsync("17");

        // A second tab viewing it (its own client and live connection): new rows appear without a reload.
        var viewer = await NewPageAsync(1280, 900);
        await viewer.GotoAsync(url);
        await Assertions.Expect(viewer.GetByTestId("tenant-name")).ToHaveTextAsync("Board Org");
        await Assertions.Expect(viewer.GetByTestId("live-indicator")).ToHaveTextAsync("● Live");
        await Assertions.Expect(viewer.Locator("[data-bar=north]")).ToContainTextAsync("17");
        (await tenant.Admin.Datasets.AppendRowsAsync(sales.Id, "[{\"day\":\"2024-03-01\",\"region\":\"north\",\"amount\":100}]")).EnsureValue();
        await Assertions.Expect(viewer.Locator("[data-bar=north]")).ToContainTextAsync("117");

        // Narrowed to a phone's width the widgets stack (the newcomer's walk opens it on a phone from the start).
        await viewer.SetViewportSizeAsync(390, 844);
        await viewer.GetByTestId("menu-toggle").WaitForAsync();
        await Assertions.Expect(viewer.GetByTestId("dashboard-grid")).ToHaveCSSAsync("display", "flex");
        await Assertions.Expect(viewer.Locator("[data-bar=north]")).ToContainTextAsync("117");

        // A public link, opened signed out; revoked, it is refused.
        await page.GetByTestId("edit-toggle").ClickAsync();
        await page.GetByTestId("share-panel").GetByText("Share", new() { Exact = true }).First.ClickAsync();
        await page.GetByTestId("link-create").ClickAsync();
        var publicUrl = (await page.GetByTestId("link-url").InnerTextAsync()).Trim();
        Assert.Contains("/public/dashboards/", publicUrl, StringComparison.Ordinal);
        var outsider = await NewPageAsync(1280, 900, isolated: true);
        await outsider.GotoAsync(publicUrl);
        await Assertions.Expect(outsider.GetByTestId("dashboard-title")).ToHaveTextAsync("Live sales");
        await Assertions.Expect(outsider.Locator("[data-bar=north]")).ToContainTextAsync("117");
        await page.GetByTestId("link-revoke").ClickAsync();
        await Assertions.Expect(page.GetByTestId("link-row")).ToContainTextAsync("revoked");
        await RevisitAsync(outsider, via: "/login");
        await Assertions.Expect(outsider.GetByTestId("public-error")).ToContainTextAsync("revoked");

        // Still editing. A line by month, then switched to bars by region before it is added: the month does not follow
        // the text column (it once did, and the widget stayed blank and the save was refused).
        async Task Choose(string label, string option)
        {
            await page.GetByRole(AriaRole.Combobox, new() { Name = label }).ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
        }
        var bucket = page.GetByRole(AriaRole.Combobox, new() { Name = "by", Exact = true });
        await Choose("Widget", "Line");
        await Choose("Group by", "day");
        await Assertions.Expect(bucket).ToHaveTextAsync("month");
        await Choose("Widget", "Bars");
        await Choose("Group by", "region");
        await Assertions.Expect(bucket).ToHaveCountAsync(0);
        await Field(page, "new-widget-title").FillAsync("Regions again");
        await page.GetByTestId("new-widget-add").ClickAsync();
        var added = page.Locator("[data-widget]").Filter(new() { HasText = "Regions again" });
        await Assertions.Expect(added.Locator("[data-bar=north]")).ToContainTextAsync("117");

        // A widget is changed after it was added: its title and measure.
        var first = page.Locator("[data-widget]").Filter(new() { HasText = "By region" });
        await first.Locator("[data-testid^=widget-edit-]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("widget-editing")).ToContainTextAsync("By region");
        await Field(page, "new-widget-title").FillAsync("Orders by region");
        await Choose("Measure", "Count of rows");
        await page.GetByTestId("widget-update").ClickAsync();
        var changed = page.Locator("[data-widget]").Filter(new() { HasText = "Orders by region" });
        await Assertions.Expect(changed.Locator("[data-bar=north]")).ToContainTextAsync("3");
        await Assertions.Expect(changed).ToHaveAttributeAsync("style", new Regex("grid-column:3 / span 8; grid-row:2 / span 3"));

        // By keyboard: the focused title moves the widget one cell with an arrow key, and Shift+arrow resizes it.
        await changed.Locator("[data-testid^=widget-handle-]").FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("Shift+ArrowDown");
        await Assertions.Expect(changed).ToHaveAttributeAsync("style", new Regex("grid-column:2 / span 8; grid-row:2 / span 4"));

        // A filter is added on a column of the widgets' data, its value picked from the values that column holds.
        await Choose("Add a filter on", "region (one value)");
        await page.GetByTestId("filter-add").ClickAsync();
        await Field(page, "filter-value-region").FillAsync("sou");
        await page.GetByRole(AriaRole.Option, new() { Name = "south", Exact = true }).ClickAsync();
        // The pick is made (not the typed "sou"), then saved.
        await Assertions.Expect(Field(page, "filter-value-region")).ToHaveValueAsync("south");
        await page.GetByTestId("dashboard-save").ClickAsync();
        await Assertions.Expect(page.GetByText(new Regex("Saved as version \\d+")).Last).ToBeVisibleAsync();
        await page.GetByTestId("filters-apply").ClickAsync();
        await Assertions.Expect(changed.Locator("[data-bar=north]")).ToHaveCountAsync(0);
        await Assertions.Expect(changed.Locator("[data-bar=south]")).ToContainTextAsync("1");
        await GoAsync(page, "/dashboards");
        await GoAsync(page, path);
        await Assertions.Expect(page.Locator("[data-widget]")).ToHaveCountAsync(2);
        await Assertions.Expect(Field(page, "filter-value-region")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_bar_drills_down_and_filters_then_a_report_is_scheduled_sent_now_received_with_its_pdf_and_unsubscribed_from_the_email()
    {
        var tenant = await Platform.NewTenantAsync("Report Org");
        await tenant.SwitchAsync(Astralytiq.Platform.Tenancy.TenantFeatures.PublicSharing, true);
        var csv = "day,region,amount\n2024-01-05,north,1200\n2024-01-20,south,300\n";
        var sales = (await tenant.Admin.Datasets.UploadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), "sales.csv", name: "Sales")).EnsureValue();
        var basic = Dashboards.DashboardTests<SqlitePlatform>.Definition(sales.Id);
        Contracts.Dashboards.WidgetDto Chart(string id, string type, int y, Contracts.Data.QuerySpecDto query, Dictionary<string, string>? options = null) =>
            new(id, type, new Contracts.Dashboards.GridPositionDto(0, y, 6, 4), id, new Contracts.Dashboards.WidgetSourceDto(sales.Id, query), Options: options);
        var byRegionMonth = new Contracts.Data.QuerySpecDto([new("region"), new("day", "month")], [new("sum", "amount", "total")]);
        var definition = basic with
        {
            Widgets =
            [
                .. basic.Widgets,
                Chart("donut", "pie", 4, new([new("region")], [new("sum", "amount", "total")]), new() { ["donut"] = "true" }),
                Chart("heat", "heatmap", 8, byRegionMonth),
                Chart("stack", "bar", 12, new([new("day", "month"), new("region")], [new("sum", "amount", "total")])),
            ],
        };
        var dashboard = (await tenant.Admin.Dashboards.CreateAsync(new Contracts.Dashboards.CreateDashboardRequest("Report board", definition))).EnsureValue();
        var page = await NewPageAsync(1280, 900);
        await SignInAsync(page, tenant.AdminUser.Email);
        await page.GetByTestId("menu-toggle").WaitForAsync();
        await GoAsync(page, $"/dashboards/{dashboard.Id}");
        await Assertions.Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Report board");

        // Each chart type draws as itself; markdown as elements.
        await Assertions.Expect(page.Locator("[data-testid=pie-donut] [data-slice]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=heat-heat] rect[data-cell]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=stacked-stack] rect[data-bar]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("widget-text").Locator("strong")).ToHaveTextAsync("Sales");
        await page.Locator("[data-testid=pie-donut] [data-slice=south] rect").ClickAsync(); // its legend key
        await Assertions.Expect(page.GetByTestId("drill-title")).ToContainTextAsync("region = south");

        // Drill down from a bar to its rows, then filter the whole dashboard by it.
        await Assertions.Expect(page.GetByTestId("kpi-total")).ToHaveTextAsync("1,500");
        // By keyboard: a bar takes the focus and Enter opens it, as a click does.
        await page.Locator("[data-bar=north]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("drill-title")).ToContainTextAsync("region = north");
        await Assertions.Expect(page.GetByTestId("table-drill")).ToContainTextAsync("2024-01-05");
        await Assertions.Expect(page.GetByTestId("table-drill")).Not.ToContainTextAsync("south");
        await page.GetByTestId("drill-filter").ClickAsync();
        await Assertions.Expect(page.GetByTestId("kpi-total")).ToHaveTextAsync("1,200");
        await Assertions.Expect(page.Locator("[data-bar=south]")).ToHaveCountAsync(0);

        await page.GetByText("Scheduled reports").ClickAsync();
        var outside = PlatformFixture.NewEmail("board");
        await Field(page, "report-name").FillAsync("Board pack");
        await Field(page, "report-emails").FillAsync(outside);
        // The field commits on leaving it, and the panel renders again: a click while it does can land on the old box.
        await Field(page, "report-emails").PressAsync("Tab");
        var csvBox = Field(page, "report-csv");
        await page.GetByText("CSV", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(csvBox).ToBeCheckedAsync();
        await page.GetByTestId("report-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-row")).ToContainTextAsync("Board pack");
        await Assertions.Expect(page.GetByTestId("report-next")).ToContainTextAsync("next ");

        await page.GetByTestId("report-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-last")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("report-runs")).ToContainTextAsync("manual");
        await Assertions.Expect(page.GetByTestId("report-file")).ToHaveCountAsync(6); // the PDF and a CSV for each of the five data widgets

        var email = await Platform.Smtp.WaitForAsync(outside, m => m.Subject?.StartsWith("Board pack", StringComparison.Ordinal) == true);
        var files = Dashboards.ReportAttachments.Read(email);
        Assert.Contains("1,500", files.PdfText, StringComparison.Ordinal);
        Assert.Equal("total\r\n1500\r\n", files.Csv["report-board-total.csv"]);

        // The creator was told in the app: the bell shows it at the next page (no reload, so no new bell) and leads back to
        // the report's history. Well inside the bell's own 30-second tick, so it is the page change that brought it.
        await GoAsync(page, "/data");
        await Assertions.Expect(page.GetByTestId("notifications-badge")).ToContainTextAsync("1", new() { Timeout = 10_000 });
        await page.GetByTestId("notifications").Locator("button").First.ClickAsync();
        await page.GetByTestId("notification").First.ClickAsync();
        await page.WaitForURLAsync(new Regex($"/dashboards/{dashboard.Id}\\?reports="));
        await Assertions.Expect(page.GetByTestId("report-runs")).ToContainTextAsync("succeeded");

        // The link in the email works signed out.
        var token = Regex.Match(email.TextBody ?? string.Empty, "unsubscribe\\?token=([A-Za-z0-9_\\-]+)").Groups[1].Value;
        var outsider = await NewPageAsync(1280, 900, isolated: true);
        await outsider.GotoAsync($"/unsubscribe?token={token}");
        await outsider.GetByTestId("unsubscribe").ClickAsync();
        await Assertions.Expect(outsider.GetByTestId("unsubscribed")).ToContainTextAsync("Board pack");
        await RevisitAsync(page); // back on ?reports=…, so the reports panel is open
        await Assertions.Expect(page.GetByTestId("report-row")).ToContainTextAsync("1 unsubscribed");

        // The user's own number format (Profile) holds on every page: the dashboard reads the German way.
        await GoAsync(page, "/profile");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Number format" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Deutsch (Deutschland) · 1.234,5", Exact = true }).ClickAsync();
        await page.GetByTestId("save-profile").ClickAsync();
        await Assertions.Expect(page.GetByText("Profile saved")).ToBeVisibleAsync();
        await GoAsync(page, $"/dashboards/{dashboard.Id}");
        await Assertions.Expect(page.GetByTestId("kpi-total")).ToHaveTextAsync("1.500");
        await Assertions.Expect(page.Locator("[data-bar=north]")).ToContainTextAsync("1.200");

        // Embedded in another site through a token its server signed: no app chrome, the locked filter fixed.
        var secret = (await tenant.Admin.Dashboards.RotateEmbeddingSecretAsync()).EnsureValue();
        (await tenant.Admin.Dashboards.ConfigureEmbeddingAsync(dashboard.Id, new Contracts.Dashboards.DashboardEmbeddingRequest(true, ["region"]))).EnsureValue();
        var embedToken = Dashboards.EmbeddingTests<SqlitePlatform>.Sign(secret.Secret, tenant.Id, dashboard.Id, new Dictionary<string, object> { ["region"] = "south" },
            ServerNow().AddHours(1));
        await GoAsync(outsider, $"/embed/dashboards/{embedToken}");
        await Assertions.Expect(outsider.GetByTestId("kpi-total")).ToHaveTextAsync("300");
        await Assertions.Expect(outsider.GetByTestId("embed-locked")).ToContainTextAsync("south");
        await Assertions.Expect(outsider.GetByTestId("app-bar")).ToHaveCountAsync(0);
    }
}

[Collection("Browser")]
public sealed class NewcomerJourneyTests(SqlitePlatform platform, Chromium chromium) : BrowserTest(platform, chromium)
{
    /// <summary>
    /// A newcomer's first half hour, as a user sees it: sign up, add the sample data from the checklist, train a model from
    /// it, make a dashboard, filter it, share it by link and send it as a report; then every page they touched, on a phone.
    /// </summary>
    [Fact]
    public async Task A_newcomer_goes_from_sign_up_to_a_shared_dashboard_and_a_report_and_every_page_reads_well_on_a_phone()
    {
        var page = await NewPageAsync(1280, 900);
        var email = PlatformFixture.NewEmail("newcomer");
        await page.GotoAsync("/register");
        await Field(page, "organization").FillAsync("Newcomer Org " + Guid.NewGuid().ToString("N")[..6]);
        await Field(page, "display-name").FillAsync("Nia Newcomer");
        await Field(page, "email").FillAsync(email);
        await Field(page, "password").FillAsync(PlatformFixture.Password);
        await page.GetByTestId("submit").ClickAsync();

        // An installable app: its manifest names it with icons, and its service worker takes the page.
        Assert.Equal("Astralytiq", await page.EvaluateAsync<string>("async () => (await (await fetch(document.querySelector('link[rel=manifest]').href)).json()).name"));
        Assert.EndsWith("/", await page.EvaluateAsync<string>("async () => (await navigator.serviceWorker.ready).scope"), StringComparison.Ordinal);
        foreach (var icon in new[] { "icons/icon-192.png", "icons/icon-512.png", "icons/icon-maskable-512.png" })
        {
            Assert.Equal(200, (await page.APIRequest.GetAsync(icon)).Status);
        }

        // Someone who asked their system for less motion gets none: an endless spinner stands still.
        Assert.True(await page.EvaluateAsync<bool>("""
            () => {
              const e = document.createElement('div');
              e.style.animation = 'spin 2s infinite linear';
              document.body.appendChild(e);
              const style = getComputedStyle(e);
              const still = parseFloat(style.animationDuration) < 0.001 && style.animationIterationCount === '1';
              e.remove();
              return still;
            }
            """), "animations run although less motion was asked for");

        // The first page offers three steps, none done.
        var steps = page.GetByTestId("getting-started");
        await Assertions.Expect(steps).ToBeVisibleAsync();
        foreach (var step in new[] { "step-data", "step-model", "step-dashboard" })
        {
            await Assertions.Expect(page.GetByTestId(step)).ToHaveAttributeAsync("data-done", "false");
        }
        await page.GetByTestId("add-sample").ClickAsync();
        await Assertions.Expect(page.GetByTestId("step-data")).ToHaveAttributeAsync("data-done", "true");
        await AccessibleAsync(page, "home");

        // Its own page: rows, columns, a quality finding for its blanks.
        await page.GetByTestId("open-sample").ClickAsync();
        await Assertions.Expect(page.GetByTestId("dataset-summary")).ToContainTextAsync("3,381 rows · 13 columns");
        var datasetUrl = new Uri(page.Url).AbsolutePath;
        await AccessibleAsync(page, "dataset page");

        // A model from the checklist: the wizard opens on the sample, predicting returns.
        await GoAsync(page, "/");
        await page.GetByTestId("start-model").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Target (the column to predict)" })).ToHaveTextAsync(new Regex("^returned"));
        await AccessibleAsync(page, "model wizard");
        // One algorithm, not a search: the path is what is tested here (the search has tests of its own).
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Algorithm" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "linear", Exact = true }).ClickAsync();
        await page.GetByTestId("train-start").ClickAsync();
        await page.WaitForURLAsync(new Regex("/models/Sample%20retail%20orders%20model$"), new() { Timeout = 120_000 });
        await Assertions.Expect(page.GetByTestId("metrics")).ToContainTextAsync("ROC AUC");
        var modelUrl = new Uri(page.Url).PathAndQuery;
        await AccessibleAsync(page, "model page");

        // A dashboard from the checklist, filtered to one region: the total follows.
        await GoAsync(page, "/");
        await Assertions.Expect(page.GetByTestId("step-model")).ToHaveAttributeAsync("data-done", "true");
        await page.GetByTestId("start-dashboard").ClickAsync();
        await page.WaitForURLAsync(new Regex("/dashboards/[0-9a-f-]{36}$"));
        var dashboardUrl = new Uri(page.Url).AbsolutePath;
        await Assertions.Expect(page.GetByTestId("kpi-total")).ToHaveTextAsync("1,660,239");
        await Field(page, "filter-value-category").FillAsync("Sou");
        await page.GetByRole(AriaRole.Option, new() { Name = "South", Exact = true }).ClickAsync();
        await Assertions.Expect(Field(page, "filter-value-category")).ToHaveValueAsync("South");
        await page.GetByTestId("filters-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("kpi-total")).ToHaveTextAsync("523,240");
        await AccessibleAsync(page, "dashboard");

        // Sharing by link is off until an admin turns it on: the panel says so before anything is clicked.
        await page.GetByTestId("edit-toggle").ClickAsync();
        await page.GetByTestId("share-panel").GetByText("Share", new() { Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("sharing-off")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("link-create")).ToBeDisabledAsync();
        await NavigateAsync(page, 1280, "/settings");
        await page.Locator("[data-testid=feature-public_sharing]").ClickAsync();
        await page.GetByTestId("save-settings").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Settings saved" })).ToBeVisibleAsync();
        await GoAsync(page, dashboardUrl + "?edit=true");
        await page.GetByTestId("share-panel").GetByText("Share", new() { Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("sharing-off")).ToHaveCountAsync(0);
        await page.GetByTestId("link-create").ClickAsync();
        var publicUrl = (await page.GetByTestId("link-url").InnerTextAsync()).Trim();
        var outsider = await NewPageAsync(1280, 900, isolated: true);
        await outsider.GotoAsync(publicUrl);
        await Assertions.Expect(outsider.GetByTestId("kpi-total")).ToHaveTextAsync("1,660,239");

        // A report to the newcomer, sent now, arrives with the dashboard's numbers.
        await page.GetByText("Scheduled reports").ClickAsync();
        await Field(page, "report-name").FillAsync("Weekly sales");
        await Field(page, "report-emails").FillAsync(email);
        await Field(page, "report-emails").PressAsync("Tab");
        await page.GetByTestId("report-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-row")).ToContainTextAsync("Weekly sales");
        await page.GetByTestId("report-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-last")).ToHaveTextAsync("succeeded", new() { Timeout = 60_000 });
        var mail = await Platform.Smtp.WaitForAsync(email, m => m.Subject?.StartsWith("Weekly sales", StringComparison.Ordinal) == true);
        Assert.Contains("1,660,239", Dashboards.ReportAttachments.Read(mail).PdfText, StringComparison.Ordinal);
        await GoAsync(page, "/");
        await Assertions.Expect(page.GetByTestId("getting-started")).ToHaveCountAsync(0); // all three done

        // Every page of the path on a phone: nothing wider than the screen, no template text, no scientific notation.
        var phone = await NewPageAsync(390, 844);
        var errors = new List<string>();
        phone.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        await phone.GotoAsync("/");
        await phone.GetByTestId("menu-toggle").WaitForAsync();
        // Pages scanned at desktop size above are scanned again only where the phone layout differs (the list pages).
        string[] checkedOnDesktop = [datasetUrl, modelUrl, dashboardUrl];
        string[] inMenu = ["/data", "/data/sql", "/models", "/dashboards", "/jobs", "/settings"];
        foreach (var path in new[] { "/", "/data", datasetUrl, "/data/sql", "/models", modelUrl, "/dashboards", dashboardUrl, "/jobs", "/settings" })
        {
            // The menu's pages are reached as a phone user does, through the drawer behind the menu button.
            if (inMenu.Contains(path))
            {
                await NavigateAsync(phone, 390, path);
            }
            else
            {
                await GoAsync(phone, path);
            }
            var main = phone.Locator(".mud-main-content");
            await Assertions.Expect(main.Locator("h4, h3").First).ToBeVisibleAsync();
            await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.True(errors.Count == 0, $"{path}: " + string.Join(" | ", errors));
            var overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a 390 px phone");
            var text = await main.InnerTextAsync();
            Assert.DoesNotMatch(new Regex("\\?\\.ToString|@\\(|\\d\\.\\d+E[+-]\\d"), text);
            if (path == datasetUrl)
            {
                // The last tab, picked on a phone, is on the screen with its panel (the tab bar once scrolled past it and showed nothing).
                await phone.GetByRole(AriaRole.Tab, new() { Name = "Transform" }).ClickAsync();
                await Assertions.Expect(phone.GetByRole(AriaRole.Tab, new() { Name = "Transform" })).ToBeInViewportAsync();
                await Assertions.Expect(phone.GetByText("Steps run in order")).ToBeVisibleAsync();
            }
            if (!checkedOnDesktop.Contains(path))
            {
                await AccessibleAsync(phone, path + " on a phone");
            }
        }

        // Signing out on a phone, from the account menu, ends at the sign-in form; signing up fits a phone too.
        await phone.GetByTestId("account-menu").ClickAsync();
        await phone.GetByTestId("sign-out").ClickAsync();
        await phone.WaitForURLAsync(new Regex("/login$"));
        await phone.GetByTestId("to-register").ClickAsync();
        await Assertions.Expect(Field(phone, "organization")).ToBeVisibleAsync();
        Assert.True(await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth") <= 0, "the sign-up form is wider than a phone");
        Assert.DoesNotContain(errors, e => !e.Contains("401", StringComparison.Ordinal)); // a request cut short by signing out
    }
}
