namespace Astralytiq.Data.Datasets;

/// <summary>A named table of a tenant, made of immutable versions; the latest is current.</summary>
internal sealed class Dataset : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Name { get; set; } = string.Empty;

    public string? Description { get; set; }

    public int CurrentVersion { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>The saved column rules (JSON array of <see cref="ColumnRuleDto"/>) every validation of a version checks by default.</summary>
    public string? RulesJson { get; set; }
}

/// <summary>One immutable version: a Parquet file (encrypted with the tenant key) plus what it came from.</summary>
internal sealed class DatasetVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DatasetId { get; set; }

    public int Version { get; set; }

    public long RowCount { get; set; }

    /// <summary>Size of the encrypted file in storage.</summary>
    public long StoredBytes { get; set; }

    /// <summary>SHA-256 of the plaintext Parquet file.</summary>
    public string ContentSha256 { get; set; } = string.Empty;

    public string BlobPath { get; set; } = string.Empty;

    public string SchemaJson { get; set; } = "[]";

    public string SourceJson { get; set; } = "{}";

    /// <summary>The transformation steps that made this version from its parents (JSON), or null.</summary>
    public string? StepsJson { get; set; }

    /// <summary>
    /// When rows were appended: the Parquet parts this version reads, in order (JSON of <see cref="VersionPart"/>),
    /// its own file last. Null: the version is its own single file.
    /// </summary>
    public string? PartsJson { get; set; }

    public IReadOnlyList<VersionPart> Parts() => PartsJson is null
        ? [new VersionPart(Id, BlobPath, RowCount, ContentSha256, StoredBytes)]
        : JsonSerializer.Deserialize<List<VersionPart>>(PartsJson, ApiJson.Options) ?? [];

    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public IReadOnlyList<ColumnDto> Schema => JsonSerializer.Deserialize<List<ColumnDto>>(SchemaJson, ApiJson.Options) ?? [];

    public DatasetSourceDto Source => JsonSerializer.Deserialize<DatasetSourceDto>(SourceJson, ApiJson.Options) ?? new DatasetSourceDto("unknown", null, null, null, null);

    public DatasetVersionDto ToDto() => new(Id, Version, RowCount, StoredBytes, ContentSha256, Source, Schema, CreatedBy, CreatedAt, Parts().Count);
}

/// <summary>One Parquet file of a version: the version that wrote it (its key purpose), where it is stored, its rows and hash.</summary>
internal sealed record VersionPart(Guid Id, string BlobPath, long Rows, string Sha256, long StoredBytes);

internal static class DatasetMapping
{
    public static DatasetResponse ToResponse(this Dataset dataset, DatasetVersion current)
    {
        var schema = current.Schema;
        return new DatasetResponse(dataset.Id, dataset.Name, dataset.Description, dataset.CurrentVersion, current.RowCount, schema.Count,
            schema, current.Source, dataset.CreatedBy, dataset.CreatedAt, dataset.UpdatedAt);
    }
}

/// <summary>Another module's use of a dataset (registered through <see cref="Contracts.IDatasetLineage"/>).</summary>
internal sealed class DatasetUse : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DatasetId { get; set; }

    /// <summary>The version used, or null for "always the latest".</summary>
    public int? Version { get; set; }

    public string ConsumerKind { get; set; } = string.Empty;

    public Guid ConsumerId { get; set; }

    public string ConsumerName { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A version another version was made from (the input of a transform, or a dataset it joined).</summary>
internal sealed class VersionParent : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The version that was made.</summary>
    public Guid VersionId { get; set; }

    public Guid DatasetId { get; set; }

    public Guid ParentDatasetId { get; set; }

    public int ParentVersion { get; set; }
}
