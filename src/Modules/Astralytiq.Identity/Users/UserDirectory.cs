namespace Astralytiq.Identity.Users;

internal sealed class UserDirectory(IdentityDbContext db) : IUserDirectory
{
    public async Task<DirectoryUser?> FindAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new DirectoryUser(u.Id, u.Email, u.DisplayName, u.Role, u.IsActive)).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<DirectoryUser>> AdminsAsync(CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().Where(u => u.Role == Role.Admin && u.IsActive).OrderBy(u => u.Email)
            .Select(u => new DirectoryUser(u.Id, u.Email, u.DisplayName, u.Role, u.IsActive)).ToListAsync(cancellationToken).ConfigureAwait(false);
}
