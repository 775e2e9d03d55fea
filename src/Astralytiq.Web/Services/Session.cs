using System.Globalization;
using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Formatting;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;

namespace Astralytiq.Web.Services;

/// <summary>
/// The signed-in user's session in the browser: tokens kept in localStorage (refreshed by the API client
/// and saved again), the current user and tenant, and the theme they imply.
/// </summary>
public sealed class Session(AstralytiqClient api, IJSRuntime js, ILogger<Session> logger)
{
    private const string StorageKey = "astralytiq.session";
    private bool _restored;

    public UserResponse? User { get; private set; }

    public TenantResponse? Tenant { get; private set; }

    public bool IsSignedIn => User is not null;

    public bool DarkMode { get; set; }

    public event Action? Changed;

    public AstralytiqClient Api => api;

    public async Task RestoreAsync()
    {
        if (_restored)
        {
            return;
        }
        _restored = true;
        api.SessionChanged += auth => _ = PersistAsync(auth);
        var stored = await js.InvokeAsync<string?>("localStorage.getItem", StorageKey);
        if (!string.IsNullOrEmpty(stored) && JsonSerializer.Deserialize<StoredTokens>(stored, ApiJson.Options) is { } tokens)
        {
            api.AccessToken = tokens.AccessToken;
            api.RefreshToken = tokens.RefreshToken;
            await LoadAsync();
        }
        ApplyTheme();
        Changed?.Invoke();
    }

    public async Task SignedInAsync(AuthResponse auth)
    {
        await PersistAsync(auth);
        await LoadAsync();
        ApplyTheme();
        Changed?.Invoke();
    }

    public async Task LoadAsync()
    {
        var profile = await api.Account.GetProfileAsync();
        User = profile.IsSuccess ? profile.Value : null;
        if (User is not null && User.Role != Role.Operator)
        {
            var tenant = await api.Tenant.GetAsync();
            Tenant = tenant.IsSuccess ? tenant.Value : null;
        }
        ApplyLocale();
        Changed?.Invoke();
    }

    public void SetTenant(TenantResponse tenant)
    {
        Tenant = tenant;
        ApplyLocale();
        Changed?.Invoke();
    }

    public void SetUser(UserResponse user)
    {
        User = user;
        ApplyTheme();
        ApplyLocale();
        Changed?.Invoke();
    }

    public async Task SignOutAsync()
    {
        if (api.AccessToken is not null)
        {
            // A user who signs out is signed out at once: the server is told within a few seconds or not at all.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await api.LogoutAsync(patience.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // The server could not be told (offline, restarting, slow): this browser forgets the session all the
                // same (LogoutAsync clears the tokens whatever happens), and the server's refresh token expires on its own.
                logger.LogWarning(ex, "Signing out could not reach the server");
            }
        }
        await js.InvokeVoidAsync("localStorage.removeItem", StorageKey);
        User = null;
        Tenant = null;
        Changed?.Invoke();
    }

    /// <summary>The locale numbers are written in: the user's own (Profile), else the organisation's (Organisation).</summary>
    public string Locale => User?.Profile.Locale is { Length: > 0 } mine ? mine : Tenant?.Locale is { Length: > 0 } ours ? ours : NumberCulture.Default;

    private string? _appliedLocale;

    /// <summary>
    /// Every page formats numbers in the current culture: the locale's separators (from the browser's locale data) on the
    /// invariant patterns. Machine text (SVG coordinates, API values) is written in the invariant culture, never this one.
    /// </summary>
    private void ApplyLocale()
    {
        var locale = Locale;
        if (locale == _appliedLocale || js is not IJSInProcessRuntime inProcess)
        {
            return;
        }
        // Read as a JsonElement: nothing for the trimmer to take away from a result type.
        var parts = inProcess.Invoke<JsonElement>("astralytiqNumberParts", locale);
        var decimalSign = parts.TryGetProperty("decimal", out var d) && d.GetString() is { Length: > 0 } ds ? ds : ".";
        var group = parts.TryGetProperty("group", out var g) ? g.GetString() ?? string.Empty : string.Empty;
        var groups = parts.TryGetProperty("groups", out var gs) && gs.ValueKind == JsonValueKind.Array ? gs.EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToList() : [];
        var culture = NumberCulture.From(decimalSign, group, NumberCulture.GroupSizes(groups));
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = culture;
        _appliedLocale = locale;
    }

    /// <summary>What the operating system prefers (the layout reports it, and again whenever it changes).</summary>
    public bool SystemDarkMode { get; private set; }

    /// <summary>The user's theme: light, dark, or system (follows the operating system, the default).</summary>
    public string Theme => User?.Profile.Theme is "light" or "dark" ? User.Profile.Theme : "system";

    private void ApplyTheme() => DarkMode = Theme switch { "dark" => true, "light" => false, _ => SystemDarkMode };

    public void SystemDarkModeChanged(bool dark)
    {
        SystemDarkMode = dark;
        ApplyTheme();
        Changed?.Invoke();
    }

    /// <summary>The app bar's switch: the opposite of what is shown now, kept in the profile so a reload (or another device) shows it too.</summary>
    public async Task ToggleDarkModeAsync()
    {
        var theme = DarkMode ? "light" : "dark";
        DarkMode = !DarkMode;
        Changed?.Invoke();
        if (User is not null)
        {
            var saved = await api.Account.UpdateProfileAsync(new UpdateProfileRequest(null, null, null, null, theme));
            if (saved.Value is { } user)
            {
                User = User with { Profile = user.Profile };
            }
        }
    }

    private async Task PersistAsync(AuthResponse? auth)
    {
        if (auth is null)
        {
            await js.InvokeVoidAsync("localStorage.removeItem", StorageKey);
            return;
        }
        await js.InvokeVoidAsync("localStorage.setItem", StorageKey,
            JsonSerializer.Serialize(new StoredTokens(auth.AccessToken, auth.RefreshToken), ApiJson.Options));
    }

    private sealed record StoredTokens(string AccessToken, string RefreshToken);
}
