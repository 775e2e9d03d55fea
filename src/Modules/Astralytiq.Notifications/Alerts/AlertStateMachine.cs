namespace Astralytiq.Notifications.Alerts;

/// <summary>What an evaluation changed: nothing, or one of the transitions that are recorded (and, for firing and resolved, announced).</summary>
internal enum AlertTransition
{
    None,
    Pending,
    Firing,
    Resolved,
    Cleared,
}

/// <summary>Where a rule stands: <c>ok</c>, <c>pending</c> (since when) or <c>firing</c> (since when).</summary>
internal readonly record struct AlertStanding(string State, DateTimeOffset? Since);

/// <summary>
/// Grafana's alert states, one evaluation at a time. ok → pending when the condition starts to hold; pending → firing once
/// it has held for the pending period (at once when the period is zero); pending → ok (cleared) when it stops holding
/// first; firing stays firing while it holds (announced once, not on every evaluation) and → ok (resolved) when it stops.
/// A metric with no value does not hold.
/// </summary>
internal static class AlertStateMachine
{
    public static bool Holds(string comparison, double threshold, double? value) => value is { } v && !double.IsNaN(v) && comparison switch
    {
        ">" => v > threshold,
        ">=" => v >= threshold,
        "<" => v < threshold,
        "<=" => v <= threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "unknown comparison"),
    };

    public static (AlertStanding Next, AlertTransition Transition) Step(AlertStanding current, bool holds, DateTimeOffset now, TimeSpan pendingFor)
    {
        switch (current.State)
        {
            case AlertStates.Firing:
                return holds ? (current, AlertTransition.None) : (new AlertStanding(AlertStates.Ok, null), AlertTransition.Resolved);
            case AlertStates.Pending:
                if (!holds)
                {
                    return (new AlertStanding(AlertStates.Ok, null), AlertTransition.Cleared);
                }
                var since = current.Since ?? now;
                return now - since >= pendingFor ? (new AlertStanding(AlertStates.Firing, now), AlertTransition.Firing) : (current with { Since = since }, AlertTransition.None);
            default:
                if (!holds)
                {
                    return (new AlertStanding(AlertStates.Ok, null), AlertTransition.None);
                }
                return pendingFor <= TimeSpan.Zero
                    ? (new AlertStanding(AlertStates.Firing, now), AlertTransition.Firing)
                    : (new AlertStanding(AlertStates.Pending, now), AlertTransition.Pending);
        }
    }
}
