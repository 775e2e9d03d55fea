using System.Text.Json;
using Astralytiq.Contracts;
using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Tenancy;
using Microsoft.JSInterop;

namespace Astralytiq.Web.Services;

/// <summary>
/// The signed-in user's session in the browser: tokens kept in localStorage (refreshed by the API client
/// and saved again), the current user and tenant, and the theme they imply.
/// </summary>
public sealed class Session(AstralytiqClient api, IJSRuntime js)
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
        DarkMode = User?.Profile.Theme == "dark";
        Changed?.Invoke();
    }

    public async Task SignedInAsync(AuthResponse auth)
    {
        await PersistAsync(auth);
        await LoadAsync();
        DarkMode = User?.Profile.Theme == "dark";
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
        Changed?.Invoke();
    }

    public void SetTenant(TenantResponse tenant)
    {
        Tenant = tenant;
        Changed?.Invoke();
    }

    public void SetUser(UserResponse user)
    {
        User = user;
        Changed?.Invoke();
    }

    public async Task SignOutAsync()
    {
        if (api.AccessToken is not null)
        {
            await api.LogoutAsync();
        }
        await js.InvokeVoidAsync("localStorage.removeItem", StorageKey);
        User = null;
        Tenant = null;
        Changed?.Invoke();
    }

    public void ToggleDarkMode()
    {
        DarkMode = !DarkMode;
        Changed?.Invoke();
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
