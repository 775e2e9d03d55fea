using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "ml");

            migrationBuilder.CreateTable(
                name: "ml_model_aliases",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model_id = table.Column<Guid>(type: "uuid", nullable: false),
                    alias = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_model_aliases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_model_versions",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    task = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    target = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_version = table.Column<int>(type: "integer", nullable: false),
                    request_json = table.Column<string>(type: "text", nullable: false),
                    seed = table.Column<int>(type: "integer", nullable: false),
                    algorithm = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    parameters_json = table.Column<string>(type: "text", nullable: true),
                    metrics_json = table.Column<string>(type: "text", nullable: true),
                    features_json = table.Column<string>(type: "text", nullable: true),
                    leaderboard_json = table.Column<string>(type: "text", nullable: true),
                    importance_json = table.Column<string>(type: "text", nullable: true),
                    primary_metric = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    primary_value = table.Column<double>(type: "double precision", nullable: true),
                    artifact_path = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    artifact_sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    artifact_bytes = table.Column<long>(type: "bigint", nullable: true),
                    duration_ms = table.Column<long>(type: "bigint", nullable: true),
                    job_id = table.Column<Guid>(type: "uuid", nullable: true),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_model_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_models",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    task = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    latest_version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                schema: "ml",
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
                name: "predictions",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    input_json = table.Column<string>(type: "text", nullable: false),
                    output_json = table.Column<string>(type: "text", nullable: false),
                    confidence = table.Column<double>(type: "double precision", nullable: true),
                    execution_ms = table.Column<double>(type: "double precision", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_predictions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_aliases_tenant_id_model_id_alias",
                schema: "ml",
                table: "ml_model_aliases",
                columns: new[] { "tenant_id", "model_id", "alias" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_tenant_id_dataset_id",
                schema: "ml",
                table: "ml_model_versions",
                columns: new[] { "tenant_id", "dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_tenant_id_model_id_version",
                schema: "ml",
                table: "ml_model_versions",
                columns: new[] { "tenant_id", "model_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_models_tenant_id_name",
                schema: "ml",
                table: "ml_models",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_dispatched_at_next_attempt_at",
                schema: "ml",
                table: "outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_predictions_tenant_id_model_id_created_at",
                schema: "ml",
                table: "predictions",
                columns: new[] { "tenant_id", "model_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_model_aliases",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "ml_model_versions",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "ml_models",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "outbox",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "predictions",
                schema: "ml");
        }
    }
}
