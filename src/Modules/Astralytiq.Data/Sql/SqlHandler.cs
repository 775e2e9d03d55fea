namespace Astralytiq.Data.Sql;

internal sealed class SqlHandler(
    DataDbContext db,
    ITenantContext tenant,
    DatasetFiles files,
    DataSettings settings,
    SharedDuckDb duckdb,
    EngineGate gate,
    IPlanFeatures plans) : ISqlQueries
{
    public async Task<Result<IReadOnlyList<Guid>>> DatasetsAsync(string sql, CancellationToken cancellationToken)
    {
        // A dashboard's SQL widget is the workspace's engine: it needs the plan's SQL workspace as the workspace does.
        if (await plans.RefusalAsync(tenant.TenantId!.Value, TenantFeatures.SqlWorkspace, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        if (string.IsNullOrWhiteSpace(sql) || sql.Length > 100_000)
        {
            return ValidationError.For("sql", "sql is one SELECT of at most 100,000 characters");
        }
        var resolved = await ResolveAsync(sql, cancellationToken);
        return resolved.IsSuccess ? resolved.Value.Ids.Distinct().ToList() : resolved.Error!;
    }

    public async Task<Result<SqlQueryResponse>> RunAsync(string sql, int limit, CancellationToken cancellationToken) =>
        await plans.RefusalAsync(tenant.TenantId!.Value, TenantFeatures.SqlWorkspace, cancellationToken) is { } refusal
            ? refusal
            : await RunSqlAsync(new SqlQueryRequest(sql, limit), cancellationToken);

    /// <summary>Runs tenant SQL in the sandbox (<see cref="SqlSandbox"/>): its datasets only, read-only, time- and row-limited.</summary>
    public async Task<Result<SqlQueryResponse>> RunSqlAsync(SqlQueryRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Sql))
        {
            errors.Add("sql", "sql is required");
        }
        else if (request.Sql.Length > 100_000)
        {
            errors.Add("sql", "sql must be at most 100,000 characters");
        }
        var limit = request.Limit ?? 1000;
        if (limit < 1 || limit > settings.MaxPreviewRows)
        {
            errors.Add("limit", $"limit must be between 1 and {settings.MaxPreviewRows}");
        }
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }
        var resolved = await ResolveAsync(request.Sql!, ct);
        if (!resolved.IsSuccess)
        {
            return resolved.Error!;
        }
        var views = resolved.Value.Views;
        // Answered at the time limit whatever the engine is doing; the statement is interrupted and its slot held
        // until it has really stopped (EngineGate.RunLimitedAsync).
        var seconds = settings.SqlTimeoutSeconds;
        return await gate.RunLimitedAsync(tenant.TenantId!.Value, token => ExecuteSqlAsync(request.Sql!, limit, views, token),
            TimeSpan.FromSeconds(seconds), () => ValidationError.For("sql", $"the query ran longer than {seconds} s and was stopped"), ct);
    }

    /// <summary>The datasets a query reads (their current versions, as views by name), after the sandbox's check of the statement.</summary>
    private async Task<Result<(List<(string Name, ParquetSource Source)> Views, List<Guid> Ids)>> ResolveAsync(string sql, CancellationToken ct)
    {
        Result<SqlSandbox.Checked> check;
        await using (var parser = await duckdb.OpenAsync(ct))
        {
            check = await SqlSandbox.CheckAsync(parser, sql, ct);
        }
        if (!check.IsSuccess)
        {
            return check.Error!;
        }
        var candidates = await db.Datasets.AsNoTracking().Where(d => d.DeletedAt == null).Select(d => new { d.Id, d.Name, d.CurrentVersion }).ToListAsync(ct);
        var views = new List<(string Name, ParquetSource Source)>();
        var ids = new List<Guid>();
        foreach (var name in check.Value.Tables)
        {
            // DuckDB folds identifier case; so does the lookup, and a name that matches two datasets is refused.
            var matches = candidates.Where(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count != 1)
            {
                return ValidationError.For("sql", matches.Count == 0 ? $"unknown dataset '{name}'" : $"'{name}' matches several datasets that differ only in case; rename one");
            }
            var version = await db.Versions.AsNoTracking().SingleAsync(v => v.DatasetId == matches[0].Id && v.Version == matches[0].CurrentVersion, ct);
            views.Add((matches[0].Name, await files.SourceAsync(tenant.TenantId!.Value, version, ct)));
            ids.Add(matches[0].Id);
        }
        return (views, ids);
    }

    /// <summary>The most items a list in one cell of a workspace answer may hold.</summary>
    private const int MaxCellItems = 10_000;

    private async Task<Result<SqlQueryResponse>> ExecuteSqlAsync(string sql, int limit, List<(string Name, ParquetSource Source)> views, CancellationToken token)
    {
        await using var duck = await DuckDb.OpenAsync(settings, token);
        foreach (var (name, source) in views)
        {
            await DuckDb.ExecuteAsync(duck, $"CREATE VIEW {DuckDb.Identifier(name)} AS SELECT * FROM {source.Scan}", token);
        }
        var allowed = string.Join(", ", views.SelectMany(v => v.Source.Paths).Distinct().Select(DuckDb.Literal));
        await DuckDb.ExecuteAsync(duck, (views.Count > 0 ? $"SET allowed_paths = [{allowed}]; " : string.Empty)
            + "SET enable_external_access = false; SET lock_configuration = true;", token);

        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var cancel = token.Register(() => command.Cancel());
        using var statement = DataTelemetry.Query("sql_workspace", sql);
        try
        {
            using var reader = await command.ExecuteReaderAsync(token);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => new ColumnDto(reader.GetName(i), TypeOf(reader.GetFieldType(i)), reader.GetDataTypeName(i), true)).ToList();
            var values = columns.Select(_ => new List<object?>()).ToList();
            var rows = 0;
            var truncated = false;
            while (await reader.ReadAsync(token))
            {
                if (rows == limit)
                {
                    truncated = true;
                    break;
                }
                for (var i = 0; i < values.Count; i++)
                {
                    var raw = DuckDb.ReadValue(reader, i);
                    // One cell can hold a whole list (generate_series(1, 100000000) is one row): shown, it would be
                    // gigabytes of answer; converted, it kept a core busy for tens of seconds.
                    if (raw is System.Collections.ICollection { Count: > MaxCellItems } list)
                    {
                        return ValidationError.For("sql", string.Create(CultureInfo.InvariantCulture,
                            $"column '{columns[i].Name}' holds a list of {list.Count:N0} items in one row; the workspace shows lists of at most {MaxCellItems:N0} items (unnest it, or take a slice)"));
                    }
                    values[i].Add(DuckDb.ToJsonValue(raw));
                }
                rows++;
                token.ThrowIfCancellationRequested();
            }
            statement.Rows(rows);
            return new SqlQueryResponse(columns, values, rows, truncated, views.Select(v => v.Name).ToList());
        }
        catch (OperationCanceledException ex)
        {
            statement.Failed(ex);
            return ValidationError.For("sql", $"the query ran longer than {settings.SqlTimeoutSeconds} s and was stopped");
        }
        catch (WideDecimalException ex)
        {
            return ValidationError.For("sql", ex.Message);
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            statement.Failed(ex);
            var message = views.SelectMany(v => v.Source.Paths.Select(p => (Path: p, v.Name))).Aggregate(ex.Message, (m, v) => m.Replace(v.Path, v.Name, StringComparison.Ordinal));
            return ValidationError.For("sql", Ingest.Explain(message, "\0", "the query"));
        }

        static string TypeOf(Type type) => type switch
        {
            _ when type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(System.Numerics.BigInteger) => "integer",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "decimal",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(DateOnly) => "date",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "timestamp",
            _ => "string",
        };
    }
}
