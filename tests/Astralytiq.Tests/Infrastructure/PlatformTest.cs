namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// Base of integration test classes. Each class is written once against <typeparamref name="TPlatform"/>
/// and declared twice (SQLite, PostgreSQL) so the same suite runs on both databases; the PostgreSQL
/// declarations skip, with the reason, when no server is configured. The platform is an assembly fixture
/// shared by every class that names its type (<c>SharedHosts.cs</c>), so a test makes its own tenant and
/// never assumes an empty database.
/// </summary>
public abstract class PlatformTest<TPlatform>(TPlatform platform) : IAsyncLifetime
    where TPlatform : PlatformFixture
{
    protected TPlatform Platform { get; } = platform;

    public virtual async ValueTask InitializeAsync()
    {
        Platform.RequireAvailable();
        await Platform.StartAsync();
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
