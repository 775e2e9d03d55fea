using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ml_ml_model_aliases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    model_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    alias = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_model_aliases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_ml_model_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    model_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    task = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    target = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dataset_version = table.Column<int>(type: "INTEGER", nullable: false),
                    request_json = table.Column<string>(type: "TEXT", nullable: false),
                    seed = table.Column<int>(type: "INTEGER", nullable: false),
                    algorithm = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    parameters_json = table.Column<string>(type: "TEXT", nullable: true),
                    metrics_json = table.Column<string>(type: "TEXT", nullable: true),
                    features_json = table.Column<string>(type: "TEXT", nullable: true),
                    leaderboard_json = table.Column<string>(type: "TEXT", nullable: true),
                    importance_json = table.Column<string>(type: "TEXT", nullable: true),
                    primary_metric = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    primary_value = table.Column<double>(type: "REAL", nullable: true),
                    artifact_path = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    artifact_sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    artifact_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    duration_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    job_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_model_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_ml_models",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    task = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    latest_version = table.Column<int>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_outbox",
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
                    table.PrimaryKey("pk_ml_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_predictions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    model_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    input_json = table.Column<string>(type: "TEXT", nullable: false),
                    output_json = table.Column<string>(type: "TEXT", nullable: false),
                    confidence = table.Column<double>(type: "REAL", nullable: true),
                    execution_ms = table.Column<double>(type: "REAL", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_predictions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_model_aliases_tenant_id_model_id_alias",
                table: "ml_ml_model_aliases",
                columns: new[] { "tenant_id", "model_id", "alias" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_model_versions_tenant_id_dataset_id",
                table: "ml_ml_model_versions",
                columns: new[] { "tenant_id", "dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_model_versions_tenant_id_model_id_version",
                table: "ml_ml_model_versions",
                columns: new[] { "tenant_id", "model_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_models_tenant_id_name",
                table: "ml_ml_models",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_outbox_dispatched_at_next_attempt_at",
                table: "ml_outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_predictions_tenant_id_model_id_created_at",
                table: "ml_predictions",
                columns: new[] { "tenant_id", "model_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_ml_model_aliases");

            migrationBuilder.DropTable(
                name: "ml_ml_model_versions");

            migrationBuilder.DropTable(
                name: "ml_ml_models");

            migrationBuilder.DropTable(
                name: "ml_outbox");

            migrationBuilder.DropTable(
                name: "ml_predictions");
        }
    }
}
