using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_dataset_uses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: true),
                    consumer_kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    consumer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_dataset_uses", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_dataset_version_parents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_dataset_version_parents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_dataset_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    row_count = table.Column<long>(type: "INTEGER", nullable: false),
                    stored_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    content_sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    blob_path = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    schema_json = table.Column<string>(type: "TEXT", nullable: false),
                    source_json = table.Column<string>(type: "TEXT", nullable: false),
                    steps_json = table.Column<string>(type: "TEXT", nullable: true),
                    parts_json = table.Column<string>(type: "TEXT", nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_dataset_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_datasets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    current_version = table.Column<int>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_datasets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_outbox",
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
                    table.PrimaryKey("pk_data_outbox", x => x.id);
                });

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
                name: "ix_data_dataset_uses_tenant_id_consumer_kind_consumer_id_dataset_id",
                table: "data_dataset_uses",
                columns: new[] { "tenant_id", "consumer_kind", "consumer_id", "dataset_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_uses_tenant_id_dataset_id",
                table: "data_dataset_uses",
                columns: new[] { "tenant_id", "dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_version_parents_tenant_id_parent_dataset_id",
                table: "data_dataset_version_parents",
                columns: new[] { "tenant_id", "parent_dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_version_parents_tenant_id_version_id",
                table: "data_dataset_version_parents",
                columns: new[] { "tenant_id", "version_id" });

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_versions_tenant_id_dataset_id_version",
                table: "data_dataset_versions",
                columns: new[] { "tenant_id", "dataset_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_data_datasets_tenant_id_name",
                table: "data_datasets",
                columns: new[] { "tenant_id", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_data_outbox_dispatched_at_next_attempt_at",
                table: "data_outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

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
                name: "data_dataset_uses");

            migrationBuilder.DropTable(
                name: "data_dataset_version_parents");

            migrationBuilder.DropTable(
                name: "data_dataset_versions");

            migrationBuilder.DropTable(
                name: "data_datasets");

            migrationBuilder.DropTable(
                name: "data_outbox");

            migrationBuilder.DropTable(
                name: "data_pipeline_runs");

            migrationBuilder.DropTable(
                name: "data_pipelines");
        }
    }
}
