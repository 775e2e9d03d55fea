using System.Net;
using Astralytiq.Contracts.Formatting;
using Astralytiq.Platform.Configuration;
using Astralytiq.Platform.Email;
using Astralytiq.Platform.Notifications;

namespace Astralytiq.Dashboards.Reports;

/// <summary>
/// One report run: computes every widget with the data current now (as the report's creator sees the dashboard), makes the
/// files, keeps them (encrypted) with the run, emails them to each recipient that has not unsubscribed and leaves an in-app
/// notification. A failure that may pass (the mail server down) is retried by the job runner; a retry reuses the files the
/// run already made and skips recipients already delivered to. When the last attempt fails, or the failure cannot pass
/// (the dashboard or its dataset is gone), the creator gets a failure notice by email and in the app.
/// </summary>
internal sealed class ReportJob(
    DashboardsDbContext db,
    Boards.Widgets.WidgetData dashboards,
    IUserDirectory users,
    IEmailSender email,
    INotify notify,
    IBlobStorage blobs,
    TenantEncryptor encryptor,
    SecretProtector protector,
    PlatformOptions platform,
    IAuditLog audit,
    ITenantFeatureSwitches switches,
    Astralytiq.Tenancy.Contracts.ITenantDirectory tenants,
    Astralytiq.Platform.Quotas.IQuotas quotas,
    TimeProvider time) : IJobHandler
{
    private sealed class ReportFailure(string message) : Exception(message);

    public async Task<object?> RunAsync(IJobContext context, CancellationToken cancellationToken)
    {
        var work = context.Payload<ReportWork>();
        var run = await db.ReportRuns.SingleAsync(r => r.Id == work.RunId, cancellationToken).ConfigureAwait(false);
        var report = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == work.ReportId, cancellationToken).ConfigureAwait(false);
        run.Status = "running";
        run.Attempts = context.Attempt;
        run.StartedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (report is null || report.DeletedAt is not null)
            {
                throw new ReportFailure("The report was deleted");
            }
            if (!await switches.IsOnAsync(report.TenantId, TenantFeatures.ScheduledReports, cancellationToken).ConfigureAwait(false))
            {
                throw new ReportFailure(TenantFeatures.Disabled(TenantFeatures.ScheduledReports).Message);
            }
            await DeliverAsync(context, report, run, cancellationToken).ConfigureAwait(false);
            return ReportHandlers.ToDto(run);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var final = ex is ReportFailure || context.Attempt >= ReportHandlers.MaxAttempts;
            // An unexpected exception's text is for the log (the job runner writes it there); the report's history says what happened.
            var message = ex is ReportFailure ? ex.Message : $"Attempt {context.Attempt} of {ReportHandlers.MaxAttempts} stopped on an unexpected error";
            db.ChangeTracker.Clear();
            var current = await db.ReportRuns.SingleAsync(r => r.Id == work.RunId, cancellationToken).ConfigureAwait(false);
            current.Status = final ? "failed" : "retrying";
            current.Error = message.Length > 2000 ? message[..2000] : message;
            if (final)
            {
                current.FinishedAt = time.GetUtcNow();
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            if (final && report is not null)
            {
                await FailureNoticeAsync(report, message, cancellationToken).ConfigureAwait(false);
            }
            if (ex is ReportFailure)
            {
                throw new PermanentJobFailureException(message);
            }
            throw;
        }
    }

    private async Task DeliverAsync(IJobContext context, Report report, ReportRun run, CancellationToken ct)
    {
        var dashboard = await db.Dashboards.AsNoTracking().SingleOrDefaultAsync(d => d.Id == report.DashboardId && d.DeletedAt == null, ct).ConfigureAwait(false)
            ?? throw new ReportFailure("The report's dashboard was deleted");
        var files = new List<ReportFile>();
        var stored = StoredReportFiles.Files(run);
        ReportContent? content = null;
        if (stored.Count > 0)
        {
            // A retry sends what the first attempt made, so every recipient gets the same numbers.
            foreach (var file in stored)
            {
                var bytes = await StoredReportFiles.ReadFileAsync(blobs, encryptor, run, file, ct).ConfigureAwait(false) ?? throw new ReportFailure($"The file {file.Name} of this run is missing");
                files.Add(new ReportFile(file.Name, file.Format, ReportFiles.ContentType(file.Format), bytes));
            }
        }
        else
        {
            await context.ReportProgressAsync(0.1, "Computing the widgets", ct).ConfigureAwait(false);
            content = await ContentAsync(report, dashboard, ct).ConfigureAwait(false);
            await context.ReportProgressAsync(0.5, "Making the files", ct).ConfigureAwait(false);
            foreach (var format in report.Formats.Split(','))
            {
                switch (format)
                {
                    case "pdf":
                        files.Add(ReportPdf.Render(content));
                        break;
                    case "csv":
                        files.AddRange(ReportFiles.Csv(content));
                        break;
                    case "xlsx":
                        files.Add(ReportFiles.Xlsx(content));
                        break;
                }
            }
            foreach (var file in files)
            {
                var sealedBytes = await encryptor.EncryptAsync(run.TenantId, file.Content, StoredReportFiles.Purpose(run, file.Name), ct).ConfigureAwait(false);
                using var stream = new MemoryStream(sealedBytes);
                await blobs.WriteAsync(run.TenantId, StoredReportFiles.BlobPath(run, file.Name), stream, ct).ConfigureAwait(false);
            }
            run.FilesJson = JsonSerializer.Serialize(files.Select(f => new StoredReportFiles.StoredFile(f.Name, f.Format, f.Content.LongLength)).ToList(), ApiJson.Options);
            run.VersionsJson = JsonSerializer.Serialize(content.Sections.Where(s => s.Data is { ModelId: null })
                .GroupBy(s => s.Data!.DatasetId).ToDictionary(g => g.Key.ToString(), g => g.Max(s => s.Data!.DatasetVersion)), ApiJson.Options);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        await context.ReportProgressAsync(0.7, "Sending", ct).ConfigureAwait(false);
        var delivered = JsonSerializer.Deserialize<List<string>>(run.DeliveredJson, ApiJson.Options) ?? [];
        var unsubscribed = await db.ReportUnsubscribes.AsNoTracking().Where(u => u.ReportId == report.Id).Select(u => u.Email).ToListAsync(ct).ConfigureAwait(false);
        var userRecipients = new List<Guid>();
        var addresses = new List<string>();
        foreach (var recipient in ReportHandlers.Recipients(report))
        {
            if (recipient.UserId is { } userId)
            {
                // Users who left the organisation (deactivated) get nothing more.
                if (await users.FindAsync(userId, ct).ConfigureAwait(false) is { IsActive: true } user)
                {
                    userRecipients.Add(userId);
                    addresses.Add(user.Email);
                }
            }
            else
            {
                addresses.Add(recipient.Email!);
            }
        }
        var summary = content is null ? null : Summary(content);
        var attachments = files.Select(f => new EmailAttachment(f.Name, f.ContentType, f.Content)).ToList();
        foreach (var address in addresses.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (unsubscribed.Contains(address.ToLowerInvariant()) || delivered.Contains(address, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            await email.SendAsync(Message(report, dashboard, address, attachments, summary), ct).ConfigureAwait(false);
            delivered.Add(address);
            run.DeliveredJson = JsonSerializer.Serialize(delivered, ApiJson.Options);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        var names = string.Join(", ", files.Select(f => f.Format).Distinct());
        var link = $"/dashboards/{dashboard.Id}?reports={report.Id}";
        // The report itself went by email; the notice goes in the app and to the organisation's webhooks, as each person chose.
        await notify.NotifyAsync(new NotifyRequest("report.delivered",
            [.. userRecipients.Append(report.CreatedBy ?? Guid.Empty).Where(u => u != Guid.Empty).Distinct()],
            $"Report '{report.Name}' is ready",
            $"{dashboard.Name}: {names} sent to {delivered.Count.ToString("#,0", CultureInfo.InvariantCulture)} recipient{(delivered.Count == 1 ? string.Empty : "s")}.",
            link, NotifySeverity.Info,
            new Dictionary<string, object?> { ["report_id"] = report.Id, ["report_name"] = report.Name, ["dashboard_id"] = dashboard.Id, ["formats"] = files.Select(f => f.Format).Distinct().ToList(), ["recipients"] = delivered.Count },
            [NotifyChannels.InApp, NotifyChannels.Webhook]), ct).ConfigureAwait(false);
        run.Status = "succeeded";
        run.Error = null;
        run.FinishedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        // Metered once per run (a retry of the run counts nothing more), on the plan whatever its limit: the report is out.
        await quotas.RecordAsync(new Astralytiq.Platform.Quotas.UsageEvent(Astralytiq.Platform.Quotas.QuotaMetrics.ReportsSent, 1, "report-run:" + run.Id.ToString("N"),
            report.CreatedBy?.ToString("N"), Enforce: false), ct).ConfigureAwait(false);
        await audit.RecordAsync(new AuditRecord("report.delivered", AuditOutcome.Success, "report", report.Id.ToString(),
            new Dictionary<string, string> { ["run"] = run.Id.ToString(), ["recipients"] = delivered.Count.ToString(CultureInfo.InvariantCulture), ["formats"] = names }), ct).ConfigureAwait(false);
        await context.ReportProgressAsync(1, $"Sent to {delivered.Count} recipient(s)", ct).ConfigureAwait(false);
    }

    /// <summary>Every widget (or the one chosen), in reading order, computed now as the report's creator sees the dashboard.</summary>
    private async Task<ReportContent> ContentAsync(Report report, Dashboard dashboard, CancellationToken ct)
    {
        var owner = report.CreatedBy is { } createdBy ? await users.FindAsync(createdBy, ct).ConfigureAwait(false) : null;
        if (owner is not { IsActive: true } || await DashboardAccess.LevelAsync(db, dashboard, owner.Id, owner.Role, ct).ConfigureAwait(false) is null)
        {
            throw new ReportFailure("The report's creator may no longer see its dashboard");
        }
        var definition = JsonSerializer.Deserialize<DashboardDefinitionDto>(dashboard.DefinitionJson, ApiJson.Options)!;
        var filters = JsonSerializer.Deserialize<List<string>>(report.FiltersJson, ApiJson.Options) ?? [];
        var widgets = definition.Widgets.Where(w => report.WidgetId is null || w.Id == report.WidgetId).OrderBy(w => w.Position.Y).ThenBy(w => w.Position.X).ToList();
        if (widgets.Count == 0)
        {
            throw new ReportFailure($"The dashboard no longer has the widget '{report.WidgetId}'");
        }
        var sections = new List<ReportSection>();
        foreach (var widget in widgets)
        {
            if (widget.Source is null && widget.Model is null && widget.Sql is null)
            {
                sections.Add(new ReportSection(widget, null));
                continue;
            }
            var data = await dashboards.WidgetDataAsync(dashboard.Id, widget.Id, filters, ct, checkAccess: false, loaded: dashboard).ConfigureAwait(false);
            if (!data.IsSuccess)
            {
                throw new ReportFailure($"Widget '{widget.Title ?? widget.Id}': {data.Error!.Message}");
            }
            sections.Add(new ReportSection(widget, data.Value));
        }
        var numbers = NumberCulture.For(await tenants.LocaleAsync(report.TenantId, ct).ConfigureAwait(false));
        return new ReportContent(dashboard.Name, report.Name, time.GetUtcNow(), report.TimeZone, filters, report.Message, sections, numbers);
    }

    /// <summary>The KPIs, for the body of the email.</summary>
    private static List<string> Summary(ReportContent content) => content.Sections
        .Where(s => s.Widget.Type == "kpi" && s.Data is { RowCount: > 0 })
        .Select(s => $"{s.Title}: {Cells.Display(s.Data!.Values[^1][0], content.Numbers)}").ToList();

    private EmailMessage Message(Report report, Dashboard dashboard, string to, IReadOnlyList<EmailAttachment> attachments, List<string>? summary)
    {
        var baseUrl = platform.PublicBaseUrl.TrimEnd('/');
        var token = ReportUnsubscribes.UnsubscribeToken(protector, report.TenantId, report.Id, to);
        var unsubscribePage = $"{baseUrl}/unsubscribe?token={token}";
        var oneClick = $"{baseUrl}{ApiRoutes.V1}/public/reports/unsubscribe?token={token}";
        var open = $"{baseUrl}/dashboards/{dashboard.Id}";
        var zone = TimeZoneInfo.FindSystemTimeZoneById(report.TimeZone);
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{dashboard.Name} — {report.Name}, with the data as of {local} ({report.TimeZone}).\n\n");
        if (report.Message is { } note)
        {
            text.Append(note).Append("\n\n");
        }
        foreach (var line in summary ?? [])
        {
            text.Append(line).Append('\n');
        }
        text.Append(CultureInfo.InvariantCulture, $"\nAttached: {string.Join(", ", attachments.Select(a => a.FileName))}\nOpen the dashboard: {open}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"You receive this because you are a recipient of this report. Unsubscribe: {unsubscribePage}\n");
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<h2>{WebUtility.HtmlEncode(dashboard.Name)}</h2><p>{WebUtility.HtmlEncode(report.Name)}, with the data as of {local} ({WebUtility.HtmlEncode(report.TimeZone)}).</p>");
        if (report.Message is { } htmlNote)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(htmlNote)}</p>");
        }
        if (summary is { Count: > 0 })
        {
            html.Append("<ul>");
            foreach (var line in summary)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{WebUtility.HtmlEncode(line)}</li>");
            }
            html.Append("</ul>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{WebUtility.HtmlEncode(open)}\">Open the dashboard</a></p>");
        html.Append(CultureInfo.InvariantCulture, $"<p style=\"color:#777;font-size:12px\">You receive this because you are a recipient of this report. <a href=\"{WebUtility.HtmlEncode(unsubscribePage)}\">Unsubscribe</a></p>");
        return new EmailMessage(to, $"{report.Name}: {dashboard.Name} ({local})", text.ToString(), html.ToString(), attachments,
            new Dictionary<string, string> { ["List-Unsubscribe"] = $"<{oneClick}>", ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click" });
    }

    private async Task FailureNoticeAsync(Report report, string reason, CancellationToken ct)
    {
        if (report.CreatedBy is not { } ownerId || await users.FindAsync(ownerId, ct).ConfigureAwait(false) is not { IsActive: true } owner)
        {
            return;
        }
        // In the app, by email and to the organisation's webhooks, as the owner chose (Profile, Notifications).
        await notify.NotifyAsync(new NotifyRequest("report.failed", [owner.Id], $"Report '{report.Name}' failed", $"It could not be sent: {reason}",
            $"/dashboards/{report.DashboardId}?reports={report.Id}", NotifySeverity.Warning,
            new Dictionary<string, object?> { ["report_id"] = report.Id, ["report_name"] = report.Name, ["dashboard_id"] = report.DashboardId, ["reason"] = reason },
            [NotifyChannels.InApp, NotifyChannels.Email, NotifyChannels.Webhook]), ct).ConfigureAwait(false);
    }
}

/// <summary>Queues a report's scheduled run when the kernel scheduler has claimed its occurrence.</summary>
internal sealed class ScheduledReportRun(DashboardsDbContext db, IJobScheduler jobs, ITenantFeatureSwitches switches, TimeProvider time) : IOccurrenceHandler<Report>
{
    public async Task StartAsync(Occurrence occurrence, CancellationToken cancellationToken)
    {
        var report = await db.Reports.AsNoTracking().SingleAsync(r => r.Id == occurrence.SubjectId, cancellationToken).ConfigureAwait(false);
        if (!await switches.IsOnAsync(report.TenantId, TenantFeatures.ScheduledReports, cancellationToken).ConfigureAwait(false))
        {
            return; // the organisation turned scheduled reports off: the occurrence passes without a run
        }
        await ReportHandlers.QueueRunAsync(db, jobs, report, "schedule", occurrence.Due, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }
}
