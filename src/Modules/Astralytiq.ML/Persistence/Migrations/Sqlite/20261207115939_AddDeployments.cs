using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddDeployments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "deployment_id",
                table: "ml_predictions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "request_key",
                table: "ml_predictions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "shadow",
                table: "ml_predictions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "variant",
                table: "ml_predictions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ml_ml_deployment_revisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    actor_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    spec_json = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_deployment_revisions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_ml_deployment_stats",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    variant = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    shadow = table.Column<bool>(type: "INTEGER", nullable: false),
                    minute = table.Column<long>(type: "INTEGER", nullable: false),
                    node = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    requests = table.Column<long>(type: "INTEGER", nullable: false),
                    rows = table.Column<long>(type: "INTEGER", nullable: false),
                    errors = table.Column<long>(type: "INTEGER", nullable: false),
                    latency_sum_ms = table.Column<double>(type: "REAL", nullable: false),
                    latency_buckets = table.Column<string>(type: "TEXT", nullable: false),
                    value_count = table.Column<long>(type: "INTEGER", nullable: false),
                    value_sum = table.Column<double>(type: "REAL", nullable: false),
                    value_sum_squares = table.Column<double>(type: "REAL", nullable: false),
                    value_min = table.Column<double>(type: "REAL", nullable: true),
                    value_max = table.Column<double>(type: "REAL", nullable: true),
                    classes_json = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_deployment_stats", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_ml_deployments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    task = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    spec_json = table.Column<string>(type: "TEXT", nullable: false),
                    canary_status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    canary_step = table.Column<int>(type: "INTEGER", nullable: false),
                    canary_step_at = table.Column<long>(type: "INTEGER", nullable: true),
                    canary_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_deployments", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_predictions_tenant_id_deployment_id_created_at",
                table: "ml_predictions",
                columns: new[] { "tenant_id", "deployment_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_deployment_revisions_tenant_id_deployment_id_revision",
                table: "ml_ml_deployment_revisions",
                columns: new[] { "tenant_id", "deployment_id", "revision" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_deployment_stats_tenant_id_deployment_id_minute_variant_shadow_node",
                table: "ml_ml_deployment_stats",
                columns: new[] { "tenant_id", "deployment_id", "minute", "variant", "shadow", "node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_deployments_canary_status",
                table: "ml_ml_deployments",
                column: "canary_status");

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_deployments_tenant_id_name",
                table: "ml_ml_deployments",
                columns: new[] { "tenant_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_ml_deployment_revisions");

            migrationBuilder.DropTable(
                name: "ml_ml_deployment_stats");

            migrationBuilder.DropTable(
                name: "ml_ml_deployments");

            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_tenant_id_deployment_id_created_at",
                table: "ml_predictions");

            migrationBuilder.DropColumn(
                name: "deployment_id",
                table: "ml_predictions");

            migrationBuilder.DropColumn(
                name: "request_key",
                table: "ml_predictions");

            migrationBuilder.DropColumn(
                name: "shadow",
                table: "ml_predictions");

            migrationBuilder.DropColumn(
                name: "variant",
                table: "ml_predictions");
        }
    }
}
