using System.Net.Http.Json;
using Astralytiq.Contracts.Audit;
using Astralytiq.Contracts.Dashboards;
using Astralytiq.Contracts.Data;
using Astralytiq.Contracts.Errors;
using Astralytiq.Contracts.Identity;
using Astralytiq.Contracts.Notifications;
using Astralytiq.Contracts.Tenancy;

namespace Astralytiq.Contracts.Client;

/// <summary>
/// The typed client of the Astralytiq REST API (v1), used by the web client, the tests and users' own code.
/// It keeps the session's tokens: an expired access token is refreshed once, transparently.
/// </summary>
public sealed class AstralytiqClient : IDisposable
{
    private readonly SemaphoreSlim _refreshGate = new(1, 1);

    public AstralytiqClient(HttpClient http)
    {
        Http = http;
        Account = new AccountClient(this);
        Users = new UsersClient(this);
        ApiKeys = new ApiKeysClient(this);
        Tenant = new TenantClient(this);
        Operator = new OperatorClient(this);
        Billing = new BillingClient(this);
        Datasets = new DatasetsClient(this);
        Pipelines = new PipelinesClient(this);
        Audit = new AuditClient(this);
        Models = new ModelsClient(this);
        Deployments = new DeploymentsClient(this);
        Dashboards = new DashboardsClient(this);
        Public = new PublicClient(this);
        Reports = new ReportsClient(this);
        Notifications = new NotificationsClient(this);
        Alerts = new AlertsClient(this);
        Webhooks = new WebhooksClient(this);
        Jobs = new JobsClient(this);
    }

    public HttpClient Http { get; }

    /// <summary>The clock of job deadlines and client-made error stamps (a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The signed-in user's own account: profile, password, two-step sign-in.</summary>
    public AccountClient Account { get; }

    /// <summary>The organisation's people (admins): list, roles, deactivation, invitations.</summary>
    public UsersClient Users { get; }

    /// <summary>API keys of the signed-in user.</summary>
    public ApiKeysClient ApiKeys { get; }

    /// <summary>The organisation: its settings and its usage against the plan.</summary>
    public TenantClient Tenant { get; }

    /// <summary>The platform operator's view of organisations.</summary>
    public OperatorClient Operator { get; }

    /// <summary>The organisation's subscription, invoices and billing details.</summary>
    public BillingClient Billing { get; }

    /// <summary>Datasets: upload, import, browse, preview, profile, validate, append, query, SQL, transform, lineage.</summary>
    public DatasetsClient Datasets { get; }

    /// <summary>Saved pipelines and their runs.</summary>
    public PipelinesClient Pipelines { get; }

    /// <summary>The audit log and its verification.</summary>
    public AuditClient Audit { get; }

    /// <summary>Models: training, registry, metrics, explanations, prediction, forecasts, scoring.</summary>
    public ModelsClient Models { get; }

    /// <summary>Model deployments: variants by weight, shadows, canary rollouts, revisions, metrics and predictions.</summary>
    public DeploymentsClient Deployments { get; }

    /// <summary>Dashboards, their versions, shares, links, widget data and embedding settings.</summary>
    public DashboardsClient Dashboards { get; }

    /// <summary>What needs no sign-in: public links, embedded dashboards, report unsubscribes.</summary>
    public PublicClient Public { get; }

    /// <summary>Scheduled reports, their runs and files.</summary>
    public ReportsClient Reports { get; }

    /// <summary>In-app notifications.</summary>
    public NotificationsClient Notifications { get; }

    public AlertsClient Alerts { get; }

    public WebhooksClient Webhooks { get; }

    /// <summary>Background jobs: list, follow, cancel.</summary>
    public JobsClient Jobs { get; }


    public string? AccessToken { get; set; }

    public string? RefreshToken { get; set; }

    /// <summary>An API key to send instead of a bearer token.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Raised when tokens change (sign-in, refresh) or are cleared (null), so a host can persist them.</summary>
    public event Action<AuthResponse?>? SessionChanged;

    public async Task<ApiResponse<AuthResponse>> RegisterAsync(RegisterRequest request, CancellationToken ct = default) =>
        Remember(await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/users/register", request, ct, allowRefresh: false).ConfigureAwait(false));

    public async Task<ApiResponse<AuthResponse>> LoginAsync(LoginRequest request, CancellationToken ct = default) =>
        Remember(await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/users/login", request, ct, allowRefresh: false).ConfigureAwait(false));

    public async Task<ApiResponse<AuthResponse>> RefreshAsync(CancellationToken ct = default) =>
        Remember(await SendAsync<AuthResponse>(HttpMethod.Post, "api/v1/users/refresh", new RefreshRequest(RefreshToken), ct, allowRefresh: false).ConfigureAwait(false));

    public async Task<ApiResponse<object>> LogoutAsync(CancellationToken ct = default)
    {
        try
        {
            return await SendAsync<object>(HttpMethod.Post, "api/v1/users/logout", null, ct).ConfigureAwait(false);
        }
        finally
        {
            // Signed out here whatever the server answered (or if it could not be reached): the tokens are forgotten.
            AccessToken = null;
            RefreshToken = null;
            SessionChanged?.Invoke(null);
        }
    }

    // Operator (platform operator accounts only)

    internal async Task<ApiResponse<T>> SendAnonymousAsync<T>(string path, string? linkPassword, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (linkPassword is not null)
        {
            request.Headers.Add("X-Link-Password", linkPassword);
        }
        using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
        var isJson = response.Content.Headers.ContentType?.MediaType == "application/json";
        return response.IsSuccessStatusCode
            ? new ApiResponse<T> { Status = response.StatusCode, Value = isJson ? await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct).ConfigureAwait(false) : default, Headers = response.Headers }
            : new ApiResponse<T> { Status = response.StatusCode, Error = isJson ? await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiJson.Options, ct).ConfigureAwait(false) : null, Headers = response.Headers };
    }

    internal static string Query(params (string Name, IEnumerable<string>? Values)[] parameters)
    {
        var parts = parameters.SelectMany(p => (p.Values ?? []).Select(v => p.Name + "=" + Uri.EscapeDataString(v))).ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }

    public void Dispose() => _refreshGate.Dispose();

    /// <summary>Any call: the same envelope handling, auth and refresh as the named methods.</summary>
    public async Task<ApiResponse<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, bool allowRefresh = true,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var response = await SendOnceAsync<T>(method, path, body, ct, headers).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.Unauthorized && allowRefresh && ApiKey is null && RefreshToken is not null
            && await TryRefreshAsync(AccessToken, ct).ConfigureAwait(false))
        {
            response = await SendOnceAsync<T>(method, path, body, ct, headers).ConfigureAwait(false);
        }
        return response;
    }

    private async Task<bool> TryRefreshAsync(string? expiredToken, CancellationToken ct)
    {
        await _refreshGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (AccessToken != expiredToken)
            {
                return true; // another call refreshed meanwhile
            }
            var refreshed = await RefreshAsync(ct).ConfigureAwait(false);
            if (!refreshed.IsSuccess)
            {
                AccessToken = null;
                RefreshToken = null;
                SessionChanged?.Invoke(null);
            }
            return refreshed.IsSuccess;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task<ApiResponse<T>> SendOnceAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (ApiKey is not null)
        {
            request.Headers.Add("X-Api-Key", ApiKey);
        }
        else if (AccessToken is not null)
        {
            request.Headers.Authorization = new("Bearer", AccessToken);
        }
        if (body is Func<HttpContent> content)
        {
            request.Content = content(); // made anew per attempt: a retried request cannot reuse sent content
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        }
        using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
        var isJson = response.Content.Headers.ContentType?.MediaType == "application/json";
        if (response.IsSuccessStatusCode)
        {
            var value = typeof(T) == typeof(byte[])
                ? (T)(object)await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false)
                : isJson && response.StatusCode != HttpStatusCode.NoContent
                ? await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct).ConfigureAwait(false)
                : default;
            return new ApiResponse<T> { Status = response.StatusCode, Value = value, Headers = response.Headers };
        }
        var error = isJson ? await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiJson.Options, ct).ConfigureAwait(false) : null;
        return new ApiResponse<T> { Status = response.StatusCode, Error = error, Headers = response.Headers };
    }

    private ApiResponse<AuthResponse> Remember(ApiResponse<AuthResponse> response)
    {
        if (response is { IsSuccess: true, Value: { } auth })
        {
            AccessToken = auth.AccessToken;
            RefreshToken = auth.RefreshToken;
            SessionChanged?.Invoke(auth);
        }
        return response;
    }
}
