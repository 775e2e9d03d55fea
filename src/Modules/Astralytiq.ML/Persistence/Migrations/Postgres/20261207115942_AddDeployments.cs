using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddDeployments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "deployment_id",
                schema: "ml",
                table: "predictions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "request_key",
                schema: "ml",
                table: "predictions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "shadow",
                schema: "ml",
                table: "predictions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "variant",
                schema: "ml",
                table: "predictions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ml_deployment_revisions",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    spec_json = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_deployment_revisions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_deployment_stats",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    variant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    shadow = table.Column<bool>(type: "boolean", nullable: false),
                    minute = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    node = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    rows = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    latency_sum_ms = table.Column<double>(type: "double precision", nullable: false),
                    latency_buckets = table.Column<string>(type: "text", nullable: false),
                    value_count = table.Column<long>(type: "bigint", nullable: false),
                    value_sum = table.Column<double>(type: "double precision", nullable: false),
                    value_sum_squares = table.Column<double>(type: "double precision", nullable: false),
                    value_min = table.Column<double>(type: "double precision", nullable: true),
                    value_max = table.Column<double>(type: "double precision", nullable: true),
                    classes_json = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_deployment_stats", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_deployments",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    task = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    spec_json = table.Column<string>(type: "text", nullable: false),
                    canary_status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    canary_step = table.Column<int>(type: "integer", nullable: false),
                    canary_step_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    canary_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_deployments", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_predictions_tenant_id_deployment_id_created_at",
                schema: "ml",
                table: "predictions",
                columns: new[] { "tenant_id", "deployment_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_deployment_revisions_tenant_id_deployment_id_revision",
                schema: "ml",
                table: "ml_deployment_revisions",
                columns: new[] { "tenant_id", "deployment_id", "revision" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_deployment_stats_tenant_id_deployment_id_minute_variant_",
                schema: "ml",
                table: "ml_deployment_stats",
                columns: new[] { "tenant_id", "deployment_id", "minute", "variant", "shadow", "node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_deployments_canary_status",
                schema: "ml",
                table: "ml_deployments",
                column: "canary_status");

            migrationBuilder.CreateIndex(
                name: "ix_ml_deployments_tenant_id_name",
                schema: "ml",
                table: "ml_deployments",
                columns: new[] { "tenant_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_deployment_revisions",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "ml_deployment_stats",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "ml_deployments",
                schema: "ml");

            migrationBuilder.DropIndex(
                name: "ix_predictions_tenant_id_deployment_id_created_at",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropColumn(
                name: "deployment_id",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropColumn(
                name: "request_key",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropColumn(
                name: "shadow",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropColumn(
                name: "variant",
                schema: "ml",
                table: "predictions");
        }
    }
}
