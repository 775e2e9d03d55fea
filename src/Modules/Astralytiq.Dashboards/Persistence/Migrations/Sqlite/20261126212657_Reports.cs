using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Dashboards.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Reports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "dashboards_report_runs");

            migrationBuilder.DropTable(
                name: "dashboards_report_unsubscribes");

            migrationBuilder.DropTable(
                name: "dashboards_reports");
        }
    }
}
