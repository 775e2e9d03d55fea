namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// Waits for something that background work makes true (a spool drained, a health check noticing), up to a limit: a
/// bounded poll on the monotonic clock, for work that runs in real time on the test host.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > within)
            {
                Assert.Fail($"Not within {within.TotalSeconds:0} s: {what}");
            }
            await Task.Delay(100);
        }
    }
}
