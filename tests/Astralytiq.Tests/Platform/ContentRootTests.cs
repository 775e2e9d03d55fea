using Astralytiq.Server;

namespace Astralytiq.Tests.Platform;

/// <summary>A server started from another directory reads the settings beside its binary; the working directory and an explicit root still win.</summary>
public sealed class ContentRootTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("astralytiq-cwd-").FullName;
    private readonly string _binary = Directory.CreateTempSubdirectory("astralytiq-bin-").FullName;

    public ContentRootTests() => File.WriteAllText(Path.Combine(_binary, ContentRoot.SettingsFile), "{}");

    private static string? NoEnvironment(string name) => null;

    [Fact]
    public void Started_from_elsewhere_it_reads_the_settings_beside_the_binary() =>
        Assert.Equal(_binary, ContentRoot.Choose(_work, _binary, [], NoEnvironment));

    [Fact]
    public void A_working_directory_with_settings_keeps_its_own()
    {
        File.WriteAllText(Path.Combine(_work, ContentRoot.SettingsFile), "{}");
        Assert.Null(ContentRoot.Choose(_work, _binary, [], NoEnvironment));
    }

    [Theory]
    [InlineData("--contentRoot=/srv/x", null)]
    [InlineData("--contentRoot", "ASPNETCORE_CONTENTROOT")]
    [InlineData("--urls", "DOTNET_CONTENTROOT")]
    public void An_explicit_content_root_is_left_alone(string arg, string? variable) =>
        Assert.Null(ContentRoot.Choose(_work, _binary, [arg], name => name == variable ? "/srv/x" : null));

    [Fact]
    public void Without_settings_anywhere_nothing_changes()
    {
        File.Delete(Path.Combine(_binary, ContentRoot.SettingsFile));
        Assert.Null(ContentRoot.Choose(_work, _binary, [], NoEnvironment));
    }

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        Directory.Delete(_binary, recursive: true);
    }
}
