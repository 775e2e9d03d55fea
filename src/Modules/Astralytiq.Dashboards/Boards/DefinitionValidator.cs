using Astralytiq.Contracts.Errors;

namespace Astralytiq.Dashboards.Boards;

/// <summary>Checks a dashboard as saved: name, folder, layout, widgets against their datasets and models, filters.</summary>
internal sealed class DefinitionValidator(IDatasetQueries queries, ISqlQueries sql, ML.Contracts.IModelReader models)
{
    public const int Columns = 12;
    public const int MaxWidgets = 50;
    public static readonly string[] DataWidgetTypes = ["kpi", "line", "area", "bar", "pie", "scatter", "histogram", "heatmap", "table"];
    public static readonly string[] ModelWidgetTypes = ["forecast", "model_metrics"];
    public static readonly string[] FilterKinds = ["date_range", "values"];

    /// <summary>Checks a definition against the grid and the tenant's datasets; returns it as stored JSON.</summary>
    public async Task<Result<string>> CheckAsync(string? name, string? folder, string? description, DashboardDefinitionDto? definition, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("name", name?.Trim()).MaxLength("name", name?.Trim(), 200).MaxLength("folder", folder, 200).MaxLength("description", description, 2000);
        if (definition?.Widgets is null)
        {
            errors.Add("definition.widgets", "definition.widgets is required (it may be empty)");
            return errors.ToError();
        }
        if (definition.Widgets.Count > MaxWidgets)
        {
            errors.Add("definition.widgets", $"at most {MaxWidgets} widgets");
        }
        var filters = definition.Filters ?? [];
        for (var f = 0; f < filters.Count; f++)
        {
            var filter = filters[f];
            if (filter is null)
            {
                errors.Add($"definition.filters[{f}]", "a filter is an object with an id, a column and a kind");
                continue;
            }
            if (string.IsNullOrWhiteSpace(filter.Id) || filter.Id.Length > 64 || filter.Id.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"definition.filters[{f}].id", "a filter id is 1 to 64 characters without ':'");
            }
            if (!FilterKinds.Contains(filter.Kind))
            {
                errors.Add($"definition.filters[{f}].kind", "kind must be date_range or values");
            }
            if (string.IsNullOrWhiteSpace(filter.Column))
            {
                errors.Add($"definition.filters[{f}].column", "column is required");
            }
        }
        if (filters.Select(f => f?.Id).Distinct(StringComparer.Ordinal).Count() != filters.Count)
        {
            errors.Add("definition.filters", "filter ids must be unique");
        }
        if (definition.Widgets.Select(w => w?.Id).Distinct(StringComparer.Ordinal).Count() != definition.Widgets.Count)
        {
            errors.Add("definition.widgets", "widget ids must be unique");
        }
        for (var i = 0; i < definition.Widgets.Count; i++)
        {
            var w = definition.Widgets[i];
            var at = $"definition.widgets[{i}]";
            if (w is null)
            {
                errors.Add(at, "a widget is an object with an id, a type and a position");
                continue;
            }
            // Every message names its widget as the user sees it (its title, else its type and place), not only by index.
            var shown = string.IsNullOrWhiteSpace(w.Title) ? $"{w.Type ?? "widget"} #{i + 1}" : w.Title.Length > 60 ? w.Title[..59] + "…" : w.Title;
            string In(string message) => $"widget '{shown}': {message}";
            if (string.IsNullOrWhiteSpace(w.Id) || w.Id.Length > 64)
            {
                errors.Add($"{at}.id", In("a widget id is 1 to 64 characters"));
            }
            var p = w.Position;
            if (p is null || p.X < 0 || p.Y < 0 || p.W < 1 || p.H < 1 || p.X + p.W > Columns || p.H > 40 || p.Y > 1000)
            {
                errors.Add($"{at}.position", In($"a position is x ≥ 0, y ≥ 0, w ≥ 1 with x + w ≤ {Columns}, and h from 1 to 40"));
            }
            if (w.Title is { Length: > 200 })
            {
                errors.Add($"{at}.title", In("a title is at most 200 characters"));
            }
            if (w.Type == "text")
            {
                if (string.IsNullOrWhiteSpace(w.Markdown) || w.Markdown.Length > 20_000)
                {
                    errors.Add($"{at}.markdown", In("a text widget has markdown, at most 20,000 characters"));
                }
                if (w.Source is not null || w.Sql is not null)
                {
                    errors.Add($"{at}.source", In("a text widget has no data source"));
                }
                continue;
            }
            if (ModelWidgetTypes.Contains(w.Type))
            {
                if (w.Source is not null || w.Sql is not null)
                {
                    errors.Add($"{at}.source", In("a model widget reads a model, not a dataset"));
                }
                if (w.Model is not { } m || string.IsNullOrWhiteSpace(m.Name))
                {
                    errors.Add($"{at}.model", In($"a {w.Type} widget needs a model (its name or id)"));
                    continue;
                }
                var problem = w.Type == "forecast"
                    ? (await models.ForecastAsync(m.Name, m.Alias, m.Horizon, m.Series, ct).ConfigureAwait(false)).Error
                    : (await models.MetricsAsync(m.Name, m.Alias, ct).ConfigureAwait(false)).Error;
                if (problem is NotFoundError)
                {
                    errors.Add($"{at}.model.name", In("no ready model of this organisation has this name" + (m.Alias is null ? string.Empty : " and alias")));
                }
                else if (problem is not null)
                {
                    foreach (var d in problem.Details ?? [new ErrorDetail("name", problem.Message)])
                    {
                        errors.Add($"{at}.model.{d.Field}", In(d.Message));
                    }
                }
                continue;
            }
            if (!DataWidgetTypes.Contains(w.Type))
            {
                errors.Add($"{at}.type", In("type must be one of " + string.Join(", ", DataWidgetTypes.Concat(ModelWidgetTypes).Append("text"))));
                continue;
            }
            if (w.Sql is { } text)
            {
                if (w.Source is not null)
                {
                    errors.Add($"{at}.sql", In("a widget reads either a source (a dataset and a query) or sql, not both"));
                    continue;
                }
                // Checked as the SQL workspace checks it, then run for one row so a query that cannot run is refused now.
                var reads = await sql.DatasetsAsync(text, ct).ConfigureAwait(false);
                var run = reads.IsSuccess ? await sql.RunAsync(text, 1, ct).ConfigureAwait(false) : reads.Error!;
                if (run.Error is { } problem)
                {
                    // A plan without SQL is said as such; a query problem names its first detail.
                    errors.Add($"{at}.sql", In(problem.Code == Astralytiq.Contracts.Errors.ErrorCodes.FeatureNotInPlan || problem.Details is not [var first, ..] ? problem.Message : first.Message));
                }
                else if (w.Type != "table" && run.Value is { } sample && (sample.Columns.Count == 0 || sample.Columns[^1].Type is not ("integer" or "decimal")))
                {
                    errors.Add($"{at}.sql", In($"a {w.Type} widget shows its query's last column as the value, and it must be a number (it is {(sample.Columns.Count == 0 ? "missing" : sample.Columns[^1].Type)})"));
                }
                continue;
            }
            if (w.Source is not { } source)
            {
                errors.Add($"{at}.source", In($"a {w.Type} widget needs a source: a dataset and a query, or sql"));
                continue;
            }
            // The query is checked by the engine itself (columns, aggregations, buckets), on one row.
            var probe = await queries.QueryAsync(source.DatasetId, source.Query with { Limit = 1, Version = null }, ct).ConfigureAwait(false);
            if (!probe.IsSuccess)
            {
                if (probe.Error is NotFoundError)
                {
                    errors.Add($"{at}.source.dataset_id", In("no such dataset"));
                }
                else
                {
                    foreach (var d in probe.Error!.Details ?? [new ErrorDetail("query", probe.Error.Message)])
                    {
                        errors.Add($"{at}.source.query.{d.Field}", In(d.Message));
                    }
                }
            }
        }
        return errors.IsEmpty ? JsonSerializer.Serialize(definition with { Filters = filters }, ApiJson.Options) : errors.ToError();
    }
}
