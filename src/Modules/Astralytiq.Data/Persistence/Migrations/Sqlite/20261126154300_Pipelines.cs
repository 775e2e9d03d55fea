using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Pipelines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_pipeline_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pipeline_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    job_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    output_dataset_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    output_version = table.Column<int>(type: "INTEGER", nullable: true),
                    row_count = table.Column<long>(type: "INTEGER", nullable: true),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_pipeline_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_pipelines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    source_json = table.Column<string>(type: "TEXT", nullable: false),
                    sealed_secrets = table.Column<string>(type: "TEXT", nullable: true),
                    steps_json = table.Column<string>(type: "TEXT", nullable: false),
                    output_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    output_dataset_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    cron = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    next_run_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_pipelines", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_data_pipeline_runs_tenant_id_pipeline_id_queued_at",
                table: "data_pipeline_runs",
                columns: new[] { "tenant_id", "pipeline_id", "queued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_data_pipelines_enabled_next_run_at",
                table: "data_pipelines",
                columns: new[] { "enabled", "next_run_at" });

            migrationBuilder.CreateIndex(
                name: "ix_data_pipelines_tenant_id_name",
                table: "data_pipelines",
                columns: new[] { "tenant_id", "name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_pipeline_runs");

            migrationBuilder.DropTable(
                name: "data_pipelines");
        }
    }
}
