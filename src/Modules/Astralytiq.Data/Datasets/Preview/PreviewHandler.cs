namespace Astralytiq.Data.Datasets.Preview;

/// <summary>Rows of a version, sorted and filtered, a page at a time.</summary>
internal sealed class PreviewHandler(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb shared)
{
    public async Task<Result<DatasetPreviewResponse>> PreviewAsync(
        Guid id, int? version, int? offset, int? limit, string? sort, IReadOnlyList<string> filters, CancellationToken ct)
    {
        var (o, l) = (offset ?? 0, limit ?? 100);
        var errors = new FieldErrors();
        if (o < 0)
        {
            errors.Add("offset", "offset must not be negative");
        }
        if (l < 1 || l > settings.MaxPreviewRows)
        {
            errors.Add("limit", $"limit must be between 1 and {settings.MaxPreviewRows}");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var found = await db.FindVersionAsync(id, version, ct);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        var schema = v.Schema;
        var query = PreviewQuery.Parse(schema, sort, filters);
        if (!query.IsSuccess)
        {
            return query.Error!;
        }
        var source = await files.SourceAsync(tenant.TenantId!.Value, v, ct);
        var rows = new List<IReadOnlyList<object?>>();
        var total = v.RowCount;
        await using (var duck = shared.Connect())
        {
            var from = $" FROM {source.Scan}" + query.Value.Where;
            if (query.Value.Where.Length > 0)
            {
                using var count = duck.CreateCommand();
                count.CommandText = "SELECT count(*)" + from;
                using var traced = Engine.DataTelemetry.Query("preview", count.CommandText);
                query.Value.Bind(count);
                total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            }
            using var command = duck.CreateCommand();
            command.CommandText = "SELECT *" + from + query.Value.OrderBy + $" LIMIT {l} OFFSET {o}";
            using var traced2 = Engine.DataTelemetry.Query("preview", command.CommandText);
            query.Value.Bind(command);
            using var reader = await command.ExecuteReaderAsync(ct);
            await DuckDb.ReadJsonRowsAsync(reader, rows, ct);
        }
        return new DatasetPreviewResponse(dataset.Id, v.Version, schema, rows, total, o, l);
    }
}
