using Microsoft.Extensions.DependencyInjection;

namespace Astralytiq.Dashboards.Boards.Widgets;

/// <summary>
/// Every widget's data in one answer: the page's first paint asks once instead of once per widget, and the widgets are
/// computed side by side on the server (each in a scope of its own, for the caller's tenant), as many at a time as there
/// are cores.
/// </summary>
internal sealed class DashboardData(DashboardFinder finder, ITenantContext tenant, IServiceScopeFactory scopes)
{
    public const int DefaultTableLimit = 50;

    public async Task<Result<DashboardDataResponse>> AllAsync(Guid id, IReadOnlyList<string> filters, int? tableLimit, CancellationToken ct)
    {
        if (tableLimit is < 1 or > WidgetData.MaxPageSize)
        {
            return ValidationError.For("table_limit", $"table_limit (a table's rows) must be between 1 and {WidgetData.MaxPageSize}");
        }
        // Who may see the dashboard is checked once, here; each widget is then computed for this tenant.
        var dashboard = await finder.Visible().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct).ConfigureAwait(false);
        if (dashboard is null)
        {
            return new NotFoundError("Dashboard");
        }
        var definition = DashboardFinder.Definition(dashboard.DefinitionJson);
        // A filter not in the dashboard's form is the request's mistake, the same for every widget: refused as a whole.
        if (WidgetData.FilterForm(definition, filters) is { IsEmpty: false } wrong)
        {
            return wrong.ToError();
        }
        var widgets = definition.Widgets.Where(w => w.Source is not null || w.Sql is not null || w.Model is not null).ToList();
        var answers = new Result<WidgetDataResponse>[widgets.Count];
        var (tenantId, userId) = (tenant.TenantId!.Value, tenant.UserId);
        await Parallel.ForEachAsync(Enumerable.Range(0, widgets.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct },
            async (i, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                using var _ = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginTenantScope(tenantId, userId);
                var table = widgets[i].Type == "table";
                answers[i] = await scope.ServiceProvider.GetRequiredService<WidgetData>().WidgetDataAsync(id, widgets[i].Id, filters, token, checkAccess: false,
                    offset: table ? 0 : null, limit: table ? tableLimit ?? DefaultTableLimit : null, loaded: dashboard).ConfigureAwait(false);
            }).ConfigureAwait(false);
        var errors = new List<WidgetDataErrorDto>();
        var data = new List<WidgetDataResponse>();
        for (var i = 0; i < widgets.Count; i++)
        {
            if (answers[i].IsSuccess)
            {
                data.Add(answers[i].Value);
            }
            else
            {
                var error = answers[i].Error!;
                errors.Add(new WidgetDataErrorDto(widgets[i].Id, error.Code, error.Message));
            }
        }
        return new DashboardDataResponse(dashboard.Id, data, errors);
    }
}
