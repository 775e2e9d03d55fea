namespace Astralytiq.Identity.Contracts;

public sealed record DemoAccount(string Email, string Password, Role Role);

public sealed record DemoTenant(Guid TenantId, string Name, IReadOnlyList<DemoAccount> Accounts);

/// <summary>Administrative account operations for the host's command-line verbs.</summary>
public interface IAccountCommands
{
    /// <summary>Creates (or refreshes the passwords of) the demo tenant with one user per role.</summary>
    Task<DemoTenant> SeedDemoAsync(CancellationToken cancellationToken);

    /// <summary>Creates a platform operator (outside every tenant), or resets its password; returns the password used.</summary>
    Task<DemoAccount> CreateOperatorAsync(string email, string? password, CancellationToken cancellationToken);
}
