namespace Astralytiq.Platform.Tenancy;

/// <summary>
/// Who is acting, for which tenant. Filled from the validated token (never from a client header),
/// or explicitly by background work. Every tenant-owned query and write is scoped by it.
/// </summary>
public interface ITenantContext
{
    Guid? TenantId { get; }

    Guid? UserId { get; }

    string? Email { get; }

    Role? Role { get; }

    /// <summary>The refresh-token family (sign-in session) the access token belongs to.</summary>
    Guid? SessionId { get; }

    /// <summary>Scopes of the API key the request authenticated with; null for interactive users.</summary>
    IReadOnlySet<string>? ApiKeyScopes { get; }

    /// <summary>True inside <see cref="BeginSystemScope"/>: tenant filters are lifted for platform work.</summary>
    bool IsSystem { get; }

    bool IsAuthenticated => UserId is not null;

    /// <summary>Platform work that must see across tenants (sign-in lookup, provisioning). Dispose to leave.</summary>
    IDisposable BeginSystemScope();

    /// <summary>Act for one tenant (background jobs, provisioning). Dispose to restore the previous state.</summary>
    IDisposable BeginTenantScope(Guid tenantId, Guid? userId = null);

    void SetPrincipal(Guid tenantId, Guid userId, string email, Role role, Guid? sessionId, IReadOnlySet<string>? apiKeyScopes);
}

internal sealed class TenantContext : ITenantContext
{
    private int _systemDepth;

    public Guid? TenantId { get; private set; }

    public Guid? UserId { get; private set; }

    public string? Email { get; private set; }

    public Role? Role { get; private set; }

    public Guid? SessionId { get; private set; }

    public IReadOnlySet<string>? ApiKeyScopes { get; private set; }

    public bool IsSystem => _systemDepth > 0;

    public IDisposable BeginSystemScope()
    {
        _systemDepth++;
        return new Scope(() => _systemDepth--);
    }

    public IDisposable BeginTenantScope(Guid tenantId, Guid? userId = null)
    {
        var (prevTenant, prevUser) = (TenantId, UserId);
        TenantId = tenantId;
        UserId = userId ?? UserId;
        return new Scope(() => (TenantId, UserId) = (prevTenant, prevUser));
    }

    public void SetPrincipal(Guid tenantId, Guid userId, string email, Role role, Guid? sessionId, IReadOnlySet<string>? apiKeyScopes)
    {
        TenantId = tenantId;
        UserId = userId;
        Email = email;
        Role = role;
        SessionId = sessionId;
        ApiKeyScopes = apiKeyScopes;
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        private Action? _onDispose = onDispose;

        public void Dispose()
        {
            _onDispose?.Invoke();
            _onDispose = null;
        }
    }
}
