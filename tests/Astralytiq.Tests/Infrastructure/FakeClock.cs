using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Astralytiq.Tests.Infrastructure;

/// <summary>A platform whose clock only the tests move (link expiry, codes, token lifetimes, reset windows).</summary>
public interface IFakeClockPlatform
{
    FakeTimeProvider Clock { get; }
}

/// <summary>
/// Test classes on a fake-clock host share one collection: they run one after another (never beside each other),
/// so one class moving the clock never expires another's tokens mid-test. They run beside every other class.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class FakeClock
{
    public const string Collection = "Fake clock";

    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Astralytiq:Jobs:PollMilliseconds"] = "100",
        // The canary and retraining controllers are ticked by hand: a tick woken by moving the clock never races the test's next step.
        ["Astralytiq:ML:ControllersTick"] = "false",
    };
}

/// <summary>The SQLite host with a fake clock.</summary>
public sealed class FakeClockSqlite : SqlitePlatform, IFakeClockPlatform
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    // A job made due by moving this clock is found by the next poll (no signal fires): poll often.
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => FakeClock.Settings;

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>The PostgreSQL host with a fake clock.</summary>
public sealed class FakeClockPostgres : PostgresPlatform, IFakeClockPlatform
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    // A job made due by moving this clock is found by the next poll (no signal fires): poll often.
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => FakeClock.Settings;

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}
