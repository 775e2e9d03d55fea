using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "data");

            migrationBuilder.CreateTable(
                name: "dataset_uses",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: true),
                    consumer_kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    consumer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dataset_uses", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dataset_version_parents",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    parent_dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    parent_version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dataset_version_parents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dataset_versions",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    row_count = table.Column<long>(type: "bigint", nullable: false),
                    stored_bytes = table.Column<long>(type: "bigint", nullable: false),
                    content_sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    blob_path = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    schema_json = table.Column<string>(type: "text", nullable: false),
                    source_json = table.Column<string>(type: "text", nullable: false),
                    steps_json = table.Column<string>(type: "text", nullable: true),
                    parts_json = table.Column<string>(type: "text", nullable: true),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dataset_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "datasets",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    current_version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_datasets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    type = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    encrypted = table.Column<bool>(type: "boolean", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    locked_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pipeline_runs",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pipeline_id = table.Column<Guid>(type: "uuid", nullable: false),
                    trigger = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: true),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    output_dataset_id = table.Column<Guid>(type: "uuid", nullable: true),
                    output_version = table.Column<int>(type: "integer", nullable: true),
                    row_count = table.Column<long>(type: "bigint", nullable: true),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pipeline_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pipelines",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    source_json = table.Column<string>(type: "text", nullable: false),
                    sealed_secrets = table.Column<string>(type: "text", nullable: true),
                    steps_json = table.Column<string>(type: "text", nullable: false),
                    output_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    output_dataset_id = table.Column<Guid>(type: "uuid", nullable: true),
                    cron = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    time_zone = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    next_run_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pipelines", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_uses_tenant_id_consumer_kind_consumer_id_dataset_id",
                schema: "data",
                table: "dataset_uses",
                columns: new[] { "tenant_id", "consumer_kind", "consumer_id", "dataset_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dataset_uses_tenant_id_dataset_id",
                schema: "data",
                table: "dataset_uses",
                columns: new[] { "tenant_id", "dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_version_parents_tenant_id_parent_dataset_id",
                schema: "data",
                table: "dataset_version_parents",
                columns: new[] { "tenant_id", "parent_dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_version_parents_tenant_id_version_id",
                schema: "data",
                table: "dataset_version_parents",
                columns: new[] { "tenant_id", "version_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_versions_tenant_id_dataset_id_version",
                schema: "data",
                table: "dataset_versions",
                columns: new[] { "tenant_id", "dataset_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_datasets_tenant_id_name",
                schema: "data",
                table: "datasets",
                columns: new[] { "tenant_id", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_dispatched_at_next_attempt_at",
                schema: "data",
                table: "outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pipeline_runs_tenant_id_pipeline_id_queued_at",
                schema: "data",
                table: "pipeline_runs",
                columns: new[] { "tenant_id", "pipeline_id", "queued_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_enabled_next_run_at",
                schema: "data",
                table: "pipelines",
                columns: new[] { "enabled", "next_run_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_tenant_id_name",
                schema: "data",
                table: "pipelines",
                columns: new[] { "tenant_id", "name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dataset_uses",
                schema: "data");

            migrationBuilder.DropTable(
                name: "dataset_version_parents",
                schema: "data");

            migrationBuilder.DropTable(
                name: "dataset_versions",
                schema: "data");

            migrationBuilder.DropTable(
                name: "datasets",
                schema: "data");

            migrationBuilder.DropTable(
                name: "outbox",
                schema: "data");

            migrationBuilder.DropTable(
                name: "pipeline_runs",
                schema: "data");

            migrationBuilder.DropTable(
                name: "pipelines",
                schema: "data");
        }
    }
}
