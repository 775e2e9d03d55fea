namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// Base of integration test classes. Each class is written once against <typeparamref name="TPlatform"/>
/// and declared twice (SQLite, PostgreSQL) so the same suite runs on both databases; the PostgreSQL
/// declarations skip, with the reason, when no server is configured.
/// </summary>
public abstract class PlatformTest<TPlatform>(TPlatform platform) : IClassFixture<TPlatform>, IAsyncLifetime
    where TPlatform : PlatformFixture
{
    protected TPlatform Platform { get; } = platform;

    public virtual ValueTask InitializeAsync()
    {
        Platform.RequireAvailable();
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
