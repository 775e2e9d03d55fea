namespace Astralytiq.Tests.Infrastructure;

/// <summary>Waits for something that background work makes true (a spool drained, a health check noticing), up to a limit.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {within.TotalSeconds:0} s: {what}");
            }
            await Task.Delay(100);
        }
    }
}
