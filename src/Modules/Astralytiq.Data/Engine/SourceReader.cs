namespace Astralytiq.Data.Engine;

/// <summary>Reads an external source (an HTTP JSON API, a database query) into a Parquet file: shared by imports and pipeline runs.</summary>
internal static class SourceReader
{
    /// <summary>The checks an HTTP source passes before any request is made; field names get <paramref name="prefix"/>.</summary>
    public static FieldErrors CheckHttp(HttpImportRequest request, string prefix)
    {
        var errors = new FieldErrors();
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add(prefix + "url", "url must be an absolute http or https URL");
        }
        if (request.MaxPages is < 1 or > HttpSource.MaxPagesLimit)
        {
            errors.Add(prefix + "max_pages", $"max_pages must be 1 to {HttpSource.MaxPagesLimit}");
        }
        if (request.Headers is { Count: > 20 })
        {
            errors.Add(prefix + "headers", "at most 20 headers");
        }
        return errors;
    }

    /// <summary>Fetches JSON records page by page (network-guarded) and reads them into Parquet.</summary>
    public static async Task<Result<IngestResult>> ReadHttpAsync(HttpImportRequest request, DataSettings settings, SharedDuckDb duckdb, string ndjsonPath, string parquetPath, CancellationToken ct)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url))
        {
            return ValidationError.For("url", "url must be an absolute http or https URL");
        }
        var fetched = await HttpSource.FetchAsync(url, request.Headers ?? new Dictionary<string, string>(), request.RecordsPath, request.NextLinkPath,
            request.MaxPages ?? 10, settings.NetworkAllowList, TimeSpan.FromSeconds(settings.HttpTimeoutSeconds), ndjsonPath, ct).ConfigureAwait(false);
        if (!fetched.IsSuccess)
        {
            return fetched.Error!;
        }
        if (fetched.Value == 0)
        {
            return ValidationError.For("url", "the API returned no records");
        }
        await using var duck = await duckdb.OpenAsync(ct).ConfigureAwait(false);
        return await Ingest.ToParquetAsync(duck, ndjsonPath, parquetPath, new ParseOptions("json", null, null), url.Host, ct).ConfigureAwait(false);
    }

    /// <summary>Runs one read-only SELECT (host network-guarded) and writes its rows to Parquet.</summary>
    public static async Task<Result<IngestResult>> ReadDatabaseAsync(DatabaseImportRequest request, DataSettings settings, SharedDuckDb duckdb, string parquetPath, CancellationToken ct)
    {
        // The same network guard as HTTP imports: no private or loopback servers unless allow-listed.
        var vetted = await HttpSource.VetAsync(new Uri($"http://{request.Connection!.Host}"), settings.NetworkAllowList, ct).ConfigureAwait(false);
        if (!vetted.IsSuccess)
        {
            return ValidationError.For("connection.host", vetted.Error!.Details![0].Message);
        }
        await using var duck = await duckdb.OpenAsync(ct).ConfigureAwait(false);
        var read = await DatabaseSource.ReadIntoAsync(duck, request, ct).ConfigureAwait(false);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }
        if (read.Value == 0)
        {
            return ValidationError.For("query", "the query returned no rows");
        }
        await DuckDb.ExecuteAsync(duck, $"COPY imported TO {DuckDb.Literal(parquetPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)", ct).ConfigureAwait(false);
        return new IngestResult(await DuckDb.DescribeAsync(duck, "imported", ct).ConfigureAwait(false), read.Value);
    }
}
