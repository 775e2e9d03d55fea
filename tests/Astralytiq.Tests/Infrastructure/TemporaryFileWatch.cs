namespace Astralytiq.Tests.Infrastructure;

/// <summary>
/// The temporary files a test's own requests leave behind on a shared host. Other tests' uploads come and go in
/// the same folder, so the watch remembers what was there when it started and checks only the files that
/// appeared since: each must be gone within a few seconds (a concurrent upload's file soon is; a leaked one never).
/// </summary>
public sealed class TemporaryFileWatch
{
    private readonly string _folder;
    private readonly HashSet<string> _before;

    public TemporaryFileWatch(string folder)
    {
        _folder = folder;
        _before = [.. Current()];
    }

    private string[] Current() => Directory.Exists(_folder) ? Directory.GetFiles(_folder, "ingest-*") : [];

    /// <summary>Fails when a file that appeared after the watch started is still there after <paramref name="within"/>.</summary>
    public async Task AssertNoneLeftAsync(TimeSpan? within = null)
    {
        var left = Current().Where(f => !_before.Contains(f)).ToList();
        using var wait = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        while (left.Count > 0 && !wait.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
            left = left.Where(File.Exists).ToList();
        }
        Assert.Empty(left);
    }
}
