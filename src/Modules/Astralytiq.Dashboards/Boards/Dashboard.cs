namespace Astralytiq.Dashboards.Boards;

/// <summary>A dashboard: its current definition (widgets, layout, filters) and version; every save is kept as a <see cref="DashboardVersion"/>.</summary>
internal sealed class Dashboard : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Folder { get; set; }

    public string? Description { get; set; }

    public int Version { get; set; }

    public string DefinitionJson { get; set; } = "{}";

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Whether signed embedding tokens may show this dashboard (not part of its versions).</summary>
    public bool EmbedEnabled { get; set; }

    /// <summary>JSON array of the filter ids an embedding token must set and the iframe cannot change.</summary>
    public string? EmbedLockedFiltersJson { get; set; }
}

/// <summary>One saved state of a dashboard, never changed afterwards.</summary>
internal sealed class DashboardVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DashboardId { get; set; }

    public int Version { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Folder { get; set; }

    public string? Description { get; set; }

    public string DefinitionJson { get; set; } = "{}";

    public string? Note { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A dashboard shared with one user or with a role, to view or to edit.</summary>
internal sealed class DashboardShare : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DashboardId { get; set; }

    public Guid? UserId { get; set; }

    /// <summary>Lower-case role name (viewer, analyst, admin).</summary>
    public string? Role { get; set; }

    /// <summary>view or edit.</summary>
    public string Access { get; set; } = "view";

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A public link: only the SHA-256 of its token is kept; the password (if any) as a salted PBKDF2 hash.</summary>
internal sealed class DashboardLink : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DashboardId { get; set; }

    public string TokenHash { get; set; } = string.Empty;

    public string? Label { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public string? PasswordHash { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}
