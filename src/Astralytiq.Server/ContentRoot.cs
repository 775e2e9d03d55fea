namespace Astralytiq.Server;

/// <summary>
/// Where the server reads appsettings.json and (once published) the web client's files. ASP.NET Core takes the working
/// directory, so a server started as <c>/opt/astralytiq/Astralytiq.Server</c> from anywhere else (a service manager's
/// default) ran on built-in defaults and served no client. The working directory still wins when it holds the settings
/// (<c>dotnet run --project src/Astralytiq.Server</c>), and an explicit content root always does.
/// </summary>
internal static class ContentRoot
{
    public const string SettingsFile = "appsettings.json";

    /// <summary>The directory to use, or null to keep ASP.NET Core's choice.</summary>
    public static string? Choose(string workingDirectory, string binaryDirectory, string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var explicitRoot = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase) || a.StartsWith("/contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(environment("ASPNETCORE_CONTENTROOT")) || !string.IsNullOrEmpty(environment("DOTNET_CONTENTROOT"));
        if (explicitRoot || File.Exists(Path.Combine(workingDirectory, SettingsFile)) || !File.Exists(Path.Combine(binaryDirectory, SettingsFile)))
        {
            return null;
        }
        return binaryDirectory;
    }
}
