namespace Astralytiq.Data.Datasets;

internal sealed class DatasetWriter(VersionWriter writer, DatasetFiles files, SharedDuckDb duckdb) : IDatasetWriter
{
    public async Task<Result<DatasetShape>> CreateAsync(string name, string? description, DatasetTable table, IReadOnlyCollection<(Guid DatasetId, int Version)> parents,
        string madeBy, CancellationToken cancellationToken, Guid? workId = null)
    {
        var parquet = files.NewTempPath(".parquet");
        try
        {
            await using (var duck = await duckdb.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                var columns = string.Join(", ", table.Columns.Select(c => $"{DuckDb.Identifier(c.Name)} {SqlType(c)}"));
                await DuckDb.ExecuteAsync(duck, $"CREATE TEMP TABLE t ({columns})", cancellationToken).ConfigureAwait(false);
                using (var appender = duck.CreateAppender("t"))
                {
                    for (var r = 0; r < table.RowCount; r++)
                    {
                        var row = appender.CreateRow();
                        foreach (var c in table.Columns)
                        {
                            Append(row, c, r);
                        }
                        row.EndRow();
                    }
                }
                await DuckDb.ExecuteAsync(duck, $"COPY t TO {DuckDb.Literal(parquet)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken).ConfigureAwait(false);
            }
            var source = new DatasetSourceDto("derived", null, "parquet", null, null, madeBy);
            var stored = await writer.StoreAsync(new VersionTarget(null, name, description, workId), parquet, source, null, parents, "derived", cancellationToken).ConfigureAwait(false);
            if (!stored.IsSuccess)
            {
                return stored.Error!;
            }
            var (dataset, version) = stored.Value;
            return new DatasetShape(dataset.Id, dataset.Name, version.Version, version.RowCount, version.Schema);
        }
        finally
        {
            File.Delete(parquet);
        }
    }

    private static string SqlType(TableColumn c) => c.Type switch
    {
        "integer" => "BIGINT",
        "boolean" => "BOOLEAN",
        "date" => "DATE",
        "timestamp" => "TIMESTAMP",
        _ when c.IsNumeric => "DOUBLE",
        _ when c.IsTemporal => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static void Append(IDuckDBAppenderRow row, TableColumn c, int r)
    {
        if (c.IsNumeric)
        {
            var v = c.Numbers![r];
            if (double.IsNaN(v))
            {
                row.AppendNullValue();
            }
            else if (c.Type == "integer")
            {
                row.AppendValue((long)v);
            }
            else if (c.Type == "boolean")
            {
                row.AppendValue(v != 0);
            }
            else
            {
                row.AppendValue(v);
            }
        }
        else if (c.IsTemporal)
        {
            if (c.Times![r] is { } t)
            {
                if (c.Type == "date")
                {
                    row.AppendValue(DateOnly.FromDateTime(t));
                }
                else
                {
                    row.AppendValue(t);
                }
            }
            else
            {
                row.AppendNullValue();
            }
        }
        else
        {
            row.AppendValue(c.Texts![r]);
        }
    }
}
