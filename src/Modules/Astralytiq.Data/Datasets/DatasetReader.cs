namespace Astralytiq.Data.Datasets;

internal sealed class DatasetReader(DataDbContext db, DatasetFiles files, SharedDuckDb shared, ITenantContext tenant) : IDatasetReader
{
    public async Task<Result<DatasetShape>> DescribeAsync(Guid datasetId, int? version, CancellationToken cancellationToken)
    {
        var found = await db.FindVersionAsync(datasetId, version, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        return new DatasetShape(dataset.Id, dataset.Name, v.Version, v.RowCount, v.Schema);
    }

    public async Task<Result<DatasetTable>> ReadAsync(Guid datasetId, int? version, IReadOnlyList<string>? columns, long maxRows, CancellationToken cancellationToken)
    {
        var found = await db.FindVersionAsync(datasetId, version, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var (dataset, v) = found.Value;
        var schema = v.Schema;
        var wanted = columns ?? schema.Select(c => c.Name).ToList();
        var errors = new FieldErrors();
        foreach (var name in wanted.Where(n => schema.All(c => c.Name != n)))
        {
            errors.Add("columns", $"dataset '{dataset.Name}' has no column '{name}'");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var chosen = wanted.Select(n => schema.First(c => c.Name == n)).ToList();
        var source = await files.SourceAsync(tenant.TenantId!.Value, v, cancellationToken).ConfigureAwait(false);
        var step = maxRows > 0 && v.RowCount > maxRows ? (long)Math.Ceiling(v.RowCount / (double)maxRows) : 1;
        const string ordinal = "__astralytiq_row";
        var select = string.Join(", ", chosen.Select(c => c.Type switch
        {
            "boolean" => $"CAST({DuckDb.Identifier(c.Name)} AS DOUBLE)",
            "integer" or "decimal" => $"CAST({DuckDb.Identifier(c.Name)} AS DOUBLE)",
            "date" or "timestamp" => $"CAST({DuckDb.Identifier(c.Name)} AS TIMESTAMP)",
            _ => $"CAST({DuckDb.Identifier(c.Name)} AS VARCHAR)",
        }));
        var sql = $"SELECT {select} FROM ({source.Ordered(ordinal, schema.Select(c => c.Name).ToList())}) " +
                  (step > 1 ? $"WHERE {DuckDb.Identifier(ordinal)} % {step.ToString(CultureInfo.InvariantCulture)} = 0 " : string.Empty) +
                  $"ORDER BY {DuckDb.Identifier(ordinal)}";
        var capacity = (int)Math.Min(step > 1 ? maxRows + 1 : v.RowCount, int.MaxValue);
        var numbers = chosen.Select(c => c.Type is "boolean" or "integer" or "decimal" ? new List<double>(capacity) : null).ToArray();
        var times = chosen.Select(c => c.Type is "date" or "timestamp" ? new List<DateTime?>(capacity) : null).ToArray();
        var texts = chosen.Select((c, i) => numbers[i] is null && times[i] is null ? new List<string?>(capacity) : null).ToArray();
        await using (var duck = shared.Connect())
        {
            using var command = duck.CreateCommand();
            command.CommandText = sql;
            using var traced = Engine.DataTelemetry.Query("read", command.CommandText);
            long read = 0;
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < chosen.Count; i++)
                {
                    var missing = reader.IsDBNull(i);
                    if (numbers[i] is { } n)
                    {
                        n.Add(missing ? double.NaN : reader.GetDouble(i));
                    }
                    else if (times[i] is { } t)
                    {
                        t.Add(missing ? null : reader.GetDateTime(i));
                    }
                    else
                    {
                        texts[i]!.Add(missing ? null : reader.GetString(i));
                    }
                }
                read++;
            }
            traced.Rows(read);
        }
        var table = chosen.Select((c, i) => new TableColumn(c.Name, c.Type, numbers[i]?.ToArray(), times[i]?.ToArray(), texts[i]?.ToArray())).ToList();
        return new DatasetTable(dataset.Id, dataset.Name, v.Version, v.RowCount, step > 1, table);
    }
}
