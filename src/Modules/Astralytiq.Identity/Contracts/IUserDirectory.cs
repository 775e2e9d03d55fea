namespace Astralytiq.Identity.Contracts;

/// <summary>Looks up users of the current tenant for other modules (sharing a dashboard with someone, say).</summary>
public interface IUserDirectory
{
    /// <summary>The user with this id in the current tenant, or null (another tenant's users are never found).</summary>
    Task<DirectoryUser?> FindAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>The current tenant's active Admins (who look after its plan and its use).</summary>
    Task<IReadOnlyList<DirectoryUser>> AdminsAsync(CancellationToken cancellationToken);
}

public sealed record DirectoryUser(Guid Id, string Email, string DisplayName, Role Role, bool IsActive);
