using System.Net;
using System.Text;

namespace Astralytiq.Notifications.Delivery;

/// <summary>The words of notification emails in one language.</summary>
internal sealed record EmailWords(
    string Greeting,
    string Open,
    string Why,
    string Unsubscribe,
    string Settings,
    string Critical,
    string Warning,
    string DigestOne,
    string DigestMany,
    string DigestIntro,
    string AlertFiring,
    string AlertResolved,
    string FiringSentence,
    string ResolvedSentence,
    string NoData,
    string Above,
    string AtOrAbove,
    string Below,
    string AtOrBelow);

/// <summary>
/// Notification emails in the organisation's language (its locale in Organisation settings: English, German, French or
/// Spanish; English otherwise), numbers written the way that locale writes them, each with a text and an HTML part, a link
/// to stop that kind of email (one click, RFC 8058 headers too) and a link to the notification settings.
/// </summary>
internal static class EmailTemplates
{
    private static readonly Dictionary<string, EmailWords> Languages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new(
            "Hello {0},", "Open in Astralytiq: {0}", "You receive this because you are a recipient of this notice in Astralytiq.",
            "Stop emails about “{0}”: {1}", "Choose how you hear about each event: {0}", "[Critical]", "[Warning]",
            "1 notification from Astralytiq", "{0} notifications from Astralytiq", "Here is what happened since your last digest:",
            "Alert firing: {0}", "Alert resolved: {0}",
            "{0} is {1} over the last {2} min, {3} {4}.", "{0} is {1} over the last {2} min; no longer {3} {4}.", "no data",
            "above", "at or above", "below", "at or below"),
        ["de"] = new(
            "Hallo {0},", "In Astralytiq öffnen: {0}", "Sie erhalten diese Nachricht, weil Sie in Astralytiq Empfänger dieser Meldung sind.",
            "Keine E-Mails mehr zu „{0}“: {1}", "Wählen Sie, wie Sie von jedem Ereignis erfahren: {0}", "[Kritisch]", "[Warnung]",
            "1 Benachrichtigung von Astralytiq", "{0} Benachrichtigungen von Astralytiq", "Das ist seit Ihrer letzten Zusammenfassung passiert:",
            "Alarm ausgelöst: {0}", "Alarm aufgehoben: {0}",
            "{0} liegt in den letzten {2} min bei {1}, {3} {4}.", "{0} liegt in den letzten {2} min bei {1}, nicht mehr {3} {4}.", "keine Daten",
            "über", "mindestens", "unter", "höchstens"),
        ["fr"] = new(
            "Bonjour {0},", "Ouvrir dans Astralytiq : {0}", "Vous recevez ce message parce que vous êtes destinataire de cet avis dans Astralytiq.",
            "Ne plus recevoir d’e-mails « {0} » : {1}", "Choisissez comment être prévenu de chaque événement : {0}", "[Critique]", "[Avertissement]",
            "1 notification d’Astralytiq", "{0} notifications d’Astralytiq", "Voici ce qui s’est passé depuis votre dernier résumé :",
            "Alerte déclenchée : {0}", "Alerte résolue : {0}",
            "{0} vaut {1} sur les {2} dernières minutes, {3} {4}.", "{0} vaut {1} sur les {2} dernières minutes, plus {3} {4}.", "aucune donnée",
            "au-dessus de", "au moins", "en dessous de", "au plus"),
        ["es"] = new(
            "Hola, {0}:", "Abrir en Astralytiq: {0}", "Recibe este mensaje porque es destinatario de este aviso en Astralytiq.",
            "Dejar de recibir correos sobre «{0}»: {1}", "Elija cómo se entera de cada evento: {0}", "[Crítico]", "[Advertencia]",
            "1 notificación de Astralytiq", "{0} notificaciones de Astralytiq", "Esto es lo que ha pasado desde su último resumen:",
            "Alerta activa: {0}", "Alerta resuelta: {0}",
            "{0} es {1} en los últimos {2} min, {3} {4}.", "{0} es {1} en los últimos {2} min; ya no está {3} {4}.", "sin datos",
            "por encima de", "al menos", "por debajo de", "como máximo"),
    };

    public static IReadOnlyCollection<string> LanguagesSupported => Languages.Keys;

    public static EmailWords For(CultureInfo culture) =>
        Languages.TryGetValue(culture.TwoLetterISOLanguageName, out var words) ? words : Languages["en"];

    /// <summary>The culture a locale name stands for; en-US for one that is missing or unknown.</summary>
    public static CultureInfo Culture(string? locale)
    {
        try
        {
            return string.IsNullOrWhiteSpace(locale) ? CultureInfo.GetCultureInfo("en-US") : CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.GetCultureInfo("en-US");
        }
    }

    /// <summary>The notice's title and text in the culture: alerts are worded from their payload; other events keep the sender's words.</summary>
    public static (string Title, string? Body) Words(NotifyRequest request, CultureInfo culture)
    {
        var words = For(culture);
        var payload = request.Payload;
        if (request.EventType is "alert.firing" or "alert.resolved" && payload is not null
            && payload.TryGetValue("rule_name", out var name) && payload.TryGetValue("metric", out var metric)
            && payload.TryGetValue("comparison", out var comparison) && payload.TryGetValue("threshold", out var threshold)
            && payload.TryGetValue("window_minutes", out var window))
        {
            var firing = request.EventType == "alert.firing";
            var unit = payload.TryGetValue("unit", out var u) ? u as string : null;
            var value = payload.TryGetValue("value", out var v) && v is double d ? Number(d, unit, culture) : words.NoData;
            var condition = comparison switch
            {
                ">" => words.Above,
                ">=" => words.AtOrAbove,
                "<" => words.Below,
                _ => words.AtOrBelow,
            };
            var title = string.Format(culture, firing ? words.AlertFiring : words.AlertResolved, name);
            var body = string.Format(culture, firing ? words.FiringSentence : words.ResolvedSentence,
                metric, value, Convert.ToInt32(window, CultureInfo.InvariantCulture).ToString("#,0", culture), condition,
                Number(Convert.ToDouble(threshold, CultureInfo.InvariantCulture), unit, culture));
            return (title, body);
        }
        return (request.Title, request.Body);
    }

    /// <summary>A value for people in the culture: its separators, at most two decimals, the unit's sign.</summary>
    public static string Number(double value, string? unit, CultureInfo culture) => unit switch
    {
        "percent" => value.ToString("#,0.##", culture) + " %",
        "seconds" => value.ToString("#,0.##", culture) + " s",
        "milliseconds" => value.ToString("#,0.##", culture) + " ms",
        _ => value.ToString("#,0.##", culture),
    };

    public static string Subject(NotifySeverity severity, string title, CultureInfo culture)
    {
        var words = For(culture);
        return severity switch
        {
            NotifySeverity.Critical => words.Critical + " " + title,
            NotifySeverity.Warning => words.Warning + " " + title,
            _ => title,
        };
    }

    /// <summary>One entry of an email: what it says and where to look.</summary>
    public sealed record Entry(string Title, string? Body, string? Link, DateTimeOffset? At = null);

    /// <summary>The text and HTML parts of a notification email (one entry) or a digest (several, each with its time).</summary>
    public static (string Text, string Html) Body(
        string displayName, IReadOnlyList<Entry> entries, bool digest, CultureInfo culture, string baseUrl,
        string? unsubscribeUrl, string? eventDescription, TimeZoneInfo zone)
    {
        var words = For(culture);
        var settings = $"{baseUrl}/profile";
        var text = new StringBuilder();
        var html = new StringBuilder("<div style=\"font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222;max-width:640px\">");
        text.AppendLine(string.Format(culture, words.Greeting, displayName)).AppendLine();
        html.Append(CultureInfo.InvariantCulture, $"<p>{Enc(string.Format(culture, words.Greeting, displayName))}</p>");
        if (digest)
        {
            text.AppendLine(words.DigestIntro).AppendLine();
            html.Append(CultureInfo.InvariantCulture, $"<p>{Enc(words.DigestIntro)}</p>");
        }
        foreach (var entry in entries)
        {
            var when = entry.At is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("g", culture) + " · " : string.Empty;
            text.Append(digest ? "• " + when : string.Empty).AppendLine(entry.Title);
            html.Append(CultureInfo.InvariantCulture, $"<p><strong>{Enc(when + entry.Title)}</strong>");
            if (!string.IsNullOrWhiteSpace(entry.Body))
            {
                text.AppendLine(entry.Body);
                html.Append(CultureInfo.InvariantCulture, $"<br>{Enc(entry.Body)}");
            }
            if (!string.IsNullOrWhiteSpace(entry.Link))
            {
                var link = Absolute(baseUrl, entry.Link);
                text.AppendLine(string.Format(culture, words.Open, link));
                html.Append(CultureInfo.InvariantCulture, $"<br><a href=\"{Enc(link)}\">{Enc(string.Format(culture, words.Open, string.Empty).TrimEnd(' ', ':'))}</a>");
            }
            text.AppendLine();
            html.Append("</p>");
        }
        text.AppendLine("—").AppendLine(words.Why);
        html.Append(CultureInfo.InvariantCulture, $"<hr style=\"border:none;border-top:1px solid #ddd\"><p style=\"color:#666;font-size:12px\">{Enc(words.Why)}");
        if (unsubscribeUrl is not null && eventDescription is not null)
        {
            text.AppendLine(string.Format(culture, words.Unsubscribe, eventDescription, unsubscribeUrl));
            html.Append(CultureInfo.InvariantCulture, $"<br><a href=\"{Enc(unsubscribeUrl)}\">{Enc(string.Format(culture, words.Unsubscribe, eventDescription, string.Empty).TrimEnd(' ', ':'))}</a>");
        }
        text.AppendLine(string.Format(culture, words.Settings, settings));
        html.Append(CultureInfo.InvariantCulture, $"<br><a href=\"{Enc(settings)}\">{Enc(string.Format(culture, words.Settings, string.Empty).TrimEnd(' ', ':'))}</a></p></div>");
        return (text.ToString(), html.ToString());
    }

    /// <summary>A link people can click from outside: a path in the web client gets the public base URL in front.</summary>
    public static string Absolute(string baseUrl, string link) =>
        link.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || link.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? link
            : baseUrl + (link.StartsWith('/') ? link : "/" + link);

    private static string Enc(string value) => WebUtility.HtmlEncode(value);
}
