using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Notifications.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "notifications_alert_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rule_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rule_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    value = table.Column<double>(type: "REAL", nullable: true),
                    threshold = table.Column<double>(type: "REAL", nullable: false),
                    silenced = table.Column<bool>(type: "INTEGER", nullable: false),
                    notified = table.Column<bool>(type: "INTEGER", nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_alert_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications_alert_rules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    metric = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    comparison = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    threshold = table.Column<double>(type: "REAL", nullable: false),
                    window_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    pending_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    evaluate_every_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    channels = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    recipients_json = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    state_since = table.Column<long>(type: "INTEGER", nullable: true),
                    last_value = table.Column<double>(type: "REAL", nullable: true),
                    last_evaluated_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    cron = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    next_run_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_alert_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications_alert_silences",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rule_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    starts_at = table.Column<long>(type: "INTEGER", nullable: false),
                    ends_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_alert_silences", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications_outbox",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    encrypted = table.Column<bool>(type: "INTEGER", nullable: false),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    dispatched_at = table.Column<long>(type: "INTEGER", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    locked_until = table.Column<long>(type: "INTEGER", nullable: true),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications_webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    endpoint_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    event_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    payload_json = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    attempts_json = table.Column<string>(type: "TEXT", nullable: false),
                    replay_of = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_webhook_deliveries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications_webhook_endpoints",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    event_types = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    secret_protected = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_webhook_endpoints", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_alert_events_tenant_id_at",
                table: "notifications_alert_events",
                columns: new[] { "tenant_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_alert_events_tenant_id_rule_id_at",
                table: "notifications_alert_events",
                columns: new[] { "tenant_id", "rule_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_alert_rules_next_run_at",
                table: "notifications_alert_rules",
                column: "next_run_at");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_alert_rules_tenant_id_name",
                table: "notifications_alert_rules",
                columns: new[] { "tenant_id", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_alert_silences_tenant_id_ends_at",
                table: "notifications_alert_silences",
                columns: new[] { "tenant_id", "ends_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_outbox_dispatched_at_next_attempt_at",
                table: "notifications_outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_webhook_deliveries_tenant_id_endpoint_id_created_at",
                table: "notifications_webhook_deliveries",
                columns: new[] { "tenant_id", "endpoint_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_webhook_deliveries_tenant_id_event_id",
                table: "notifications_webhook_deliveries",
                columns: new[] { "tenant_id", "event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_webhook_endpoints_tenant_id",
                table: "notifications_webhook_endpoints",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notifications_alert_events");

            migrationBuilder.DropTable(
                name: "notifications_alert_rules");

            migrationBuilder.DropTable(
                name: "notifications_alert_silences");

            migrationBuilder.DropTable(
                name: "notifications_outbox");

            migrationBuilder.DropTable(
                name: "notifications_webhook_deliveries");

            migrationBuilder.DropTable(
                name: "notifications_webhook_endpoints");
        }
    }
}
