namespace Astralytiq.Platform.Configuration;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Host-level settings, read from the <c>Astralytiq</c> configuration section (appsettings, or environment
/// variables such as <c>Astralytiq__Database__Provider=Postgres</c>). <c>ASTRALYTIQ_DATA_DIR</c> sets the data directory.
/// </summary>
public sealed class PlatformOptions
{
    public const string Section = "Astralytiq";

    public string DataDir { get; set; } = ".astralytiq";

    public DatabaseProvider DatabaseProvider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The PostgreSQL connection string when <see cref="DatabaseProvider"/> is Postgres.</summary>
    public string? PostgresConnectionString { get; set; }

    public string SqliteConnectionString => $"Data Source={Path.Combine(DataDir, "astralytiq.db")};Pooling=True;Default Timeout=30";

    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    public static PlatformOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var options = new PlatformOptions();
        var dataDir = configuration["ASTRALYTIQ_DATA_DIR"] ?? section["DataDir"];
        if (!string.IsNullOrWhiteSpace(dataDir))
        {
            options.DataDir = dataDir;
        }
        options.DataDir = Path.GetFullPath(options.DataDir);
        var provider = section["Database:Provider"];
        if (!string.IsNullOrWhiteSpace(provider))
        {
            options.DatabaseProvider = provider.Trim().ToLowerInvariant() switch
            {
                "sqlite" => DatabaseProvider.Sqlite,
                "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
                _ => throw new InvalidOperationException($"Unknown database provider '{provider}': use Sqlite or Postgres"),
            };
        }
        options.PostgresConnectionString = section["Database:ConnectionString"] ?? configuration.GetConnectionString("Postgres");
        if (options.DatabaseProvider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            throw new InvalidOperationException("Astralytiq:Database:ConnectionString is required when the provider is Postgres");
        }
        options.PublicBaseUrl = section["PublicBaseUrl"] ?? options.PublicBaseUrl;
        return options;
    }
}
