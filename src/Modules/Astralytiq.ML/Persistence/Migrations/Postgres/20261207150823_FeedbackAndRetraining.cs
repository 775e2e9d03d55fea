using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FeedbackAndRetraining : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "request_id",
                schema: "ml",
                table: "predictions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "row",
                schema: "ml",
                table: "predictions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ml_feedback",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    prediction_id = table.Column<Guid>(type: "uuid", nullable: false),
                    request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    row = table.Column<int>(type: "integer", nullable: false),
                    predicted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actual_number = table.Column<double>(type: "double precision", nullable: true),
                    actual_label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    corrections = table.Column<int>(type: "integer", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_feedback", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_retraining_policies",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    policy_json = table.Column<string>(type: "text", nullable: false),
                    next_scheduled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_by = table.Column<Guid>(type: "uuid", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_retraining_policies", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_retraining_runs",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    active_deployment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    trigger = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    trigger_detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    actor_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    policy_json = table.Column<string>(type: "text", nullable: false),
                    champion_variant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    model_id = table.Column<Guid>(type: "uuid", nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    champion_version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    champion_version = table.Column<int>(type: "integer", nullable: false),
                    challenger_version_id = table.Column<Guid>(type: "uuid", nullable: true),
                    challenger_version = table.Column<int>(type: "integer", nullable: true),
                    job_id = table.Column<Guid>(type: "uuid", nullable: true),
                    metric = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    champion_value = table.Column<double>(type: "double precision", nullable: true),
                    challenger_value = table.Column<double>(type: "double precision", nullable: true),
                    margin = table.Column<double>(type: "double precision", nullable: false),
                    evaluated_on = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    evaluation_rows = table.Column<int>(type: "integer", nullable: true),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_retraining_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_predictions_tenant_id_deployment_id_request_key",
                schema: "ml",
                table: "predictions",
                columns: new[] { "tenant_id", "deployment_id", "request_key" });

            migrationBuilder.CreateIndex(
                name: "ix_predictions_tenant_id_request_id",
                schema: "ml",
                table: "predictions",
                columns: new[] { "tenant_id", "request_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_feedback_tenant_id_deployment_id_predicted_at",
                schema: "ml",
                table: "ml_feedback",
                columns: new[] { "tenant_id", "deployment_id", "predicted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_feedback_tenant_id_prediction_id",
                schema: "ml",
                table: "ml_feedback",
                columns: new[] { "tenant_id", "prediction_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_retraining_policies_enabled",
                schema: "ml",
                table: "ml_retraining_policies",
                column: "enabled");

            migrationBuilder.CreateIndex(
                name: "ix_ml_retraining_policies_tenant_id_deployment_id",
                schema: "ml",
                table: "ml_retraining_policies",
                columns: new[] { "tenant_id", "deployment_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_retraining_runs_active_deployment_id",
                schema: "ml",
                table: "ml_retraining_runs",
                column: "active_deployment_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_retraining_runs_tenant_id_deployment_id_created_at",
                schema: "ml",
                table: "ml_retraining_runs",
                columns: new[] { "tenant_id", "deployment_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_feedback",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "ml_retraining_policies",
                schema: "ml");

            migrationBuilder.DropTable(
                name: "ml_retraining_runs",
                schema: "ml");

            migrationBuilder.DropIndex(
                name: "ix_predictions_tenant_id_deployment_id_request_key",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropIndex(
                name: "ix_predictions_tenant_id_request_id",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropColumn(
                name: "request_id",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropColumn(
                name: "row",
                schema: "ml",
                table: "predictions");
        }
    }
}
