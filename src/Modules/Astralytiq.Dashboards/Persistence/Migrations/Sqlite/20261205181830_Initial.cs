using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Dashboards.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dashboards_dashboard_links",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dashboard_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    password_hash = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_dashboard_links", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_dashboard_shares",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dashboard_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    role = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    access = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_dashboard_shares", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_dashboard_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dashboard_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    folder = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    definition_json = table.Column<string>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_dashboard_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_dashboards",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    folder = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    definition_json = table.Column<string>(type: "TEXT", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true),
                    embed_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    embed_locked_filters_json = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_dashboards", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_embedding_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sealed_secret = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_embedding_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_outbox",
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
                    locked_until = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_report_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    report_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    scheduled_for = table.Column<long>(type: "INTEGER", nullable: true),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    job_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    files_json = table.Column<string>(type: "TEXT", nullable: false),
                    delivered_json = table.Column<string>(type: "TEXT", nullable: false),
                    versions_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_report_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_report_unsubscribes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    report_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_report_unsubscribes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dashboards_reports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dashboard_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    widget_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    cron = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    formats = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    recipients_json = table.Column<string>(type: "TEXT", nullable: false),
                    filters_json = table.Column<string>(type: "TEXT", nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    next_run_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_reports", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_links_tenant_id_dashboard_id",
                table: "dashboards_dashboard_links",
                columns: new[] { "tenant_id", "dashboard_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_links_token_hash",
                table: "dashboards_dashboard_links",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_shares_tenant_id_dashboard_id",
                table: "dashboards_dashboard_shares",
                columns: new[] { "tenant_id", "dashboard_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_shares_tenant_id_user_id",
                table: "dashboards_dashboard_shares",
                columns: new[] { "tenant_id", "user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_versions_tenant_id_dashboard_id_version",
                table: "dashboards_dashboard_versions",
                columns: new[] { "tenant_id", "dashboard_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboards_tenant_id_folder_name",
                table: "dashboards_dashboards",
                columns: new[] { "tenant_id", "folder", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_embedding_keys_tenant_id",
                table: "dashboards_embedding_keys",
                column: "tenant_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_outbox_dispatched_at_next_attempt_at",
                table: "dashboards_outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_report_runs_tenant_id_report_id",
                table: "dashboards_report_runs",
                columns: new[] { "tenant_id", "report_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_report_unsubscribes_tenant_id_report_id_email",
                table: "dashboards_report_unsubscribes",
                columns: new[] { "tenant_id", "report_id", "email" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_reports_next_run_at",
                table: "dashboards_reports",
                column: "next_run_at");

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_reports_tenant_id_dashboard_id",
                table: "dashboards_reports",
                columns: new[] { "tenant_id", "dashboard_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dashboards_dashboard_links");

            migrationBuilder.DropTable(
                name: "dashboards_dashboard_shares");

            migrationBuilder.DropTable(
                name: "dashboards_dashboard_versions");

            migrationBuilder.DropTable(
                name: "dashboards_dashboards");

            migrationBuilder.DropTable(
                name: "dashboards_embedding_keys");

            migrationBuilder.DropTable(
                name: "dashboards_outbox");

            migrationBuilder.DropTable(
                name: "dashboards_report_runs");

            migrationBuilder.DropTable(
                name: "dashboards_report_unsubscribes");

            migrationBuilder.DropTable(
                name: "dashboards_reports");
        }
    }
}
