using Astralytiq.Contracts.Dashboards;

namespace Astralytiq.Web.Pages.Boards;

/// <summary>
/// A point of a widget the user clicked: the widget, the point's label and its conditions (<c>output:value</c>), and the
/// dashboard filter the point's value maps to, when there is one.
/// </summary>
public sealed record DrillRequest(WidgetDto Widget, string? Label, IReadOnlyList<string> Point, (string Id, string Column, string Value)? Filter);
