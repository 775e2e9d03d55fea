using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FeedbackAndRetraining : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "request_id",
                table: "ml_predictions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "row",
                table: "ml_predictions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ml_ml_feedback",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    prediction_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    request_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    row = table.Column<int>(type: "INTEGER", nullable: false),
                    predicted_at = table.Column<long>(type: "INTEGER", nullable: false),
                    actual_number = table.Column<double>(type: "REAL", nullable: true),
                    actual_label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    corrections = table.Column<int>(type: "INTEGER", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_feedback", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_ml_retraining_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    policy_json = table.Column<string>(type: "TEXT", nullable: false),
                    next_scheduled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    updated_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_retraining_policies", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ml_ml_retraining_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    active_deployment_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    trigger_detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    actor_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    policy_json = table.Column<string>(type: "TEXT", nullable: false),
                    champion_variant = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    model_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    champion_version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    champion_version = table.Column<int>(type: "INTEGER", nullable: false),
                    challenger_version_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    challenger_version = table.Column<int>(type: "INTEGER", nullable: true),
                    job_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    metric = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    champion_value = table.Column<double>(type: "REAL", nullable: true),
                    challenger_value = table.Column<double>(type: "REAL", nullable: true),
                    margin = table.Column<double>(type: "REAL", nullable: false),
                    evaluated_on = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    evaluation_rows = table.Column<int>(type: "INTEGER", nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_retraining_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_predictions_tenant_id_deployment_id_request_key",
                table: "ml_predictions",
                columns: new[] { "tenant_id", "deployment_id", "request_key" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_predictions_tenant_id_request_id",
                table: "ml_predictions",
                columns: new[] { "tenant_id", "request_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_feedback_tenant_id_deployment_id_predicted_at",
                table: "ml_ml_feedback",
                columns: new[] { "tenant_id", "deployment_id", "predicted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_feedback_tenant_id_prediction_id",
                table: "ml_ml_feedback",
                columns: new[] { "tenant_id", "prediction_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_retraining_policies_enabled",
                table: "ml_ml_retraining_policies",
                column: "enabled");

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_retraining_policies_tenant_id_deployment_id",
                table: "ml_ml_retraining_policies",
                columns: new[] { "tenant_id", "deployment_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_retraining_runs_active_deployment_id",
                table: "ml_ml_retraining_runs",
                column: "active_deployment_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_retraining_runs_tenant_id_deployment_id_created_at",
                table: "ml_ml_retraining_runs",
                columns: new[] { "tenant_id", "deployment_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_ml_feedback");

            migrationBuilder.DropTable(
                name: "ml_ml_retraining_policies");

            migrationBuilder.DropTable(
                name: "ml_ml_retraining_runs");

            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_tenant_id_deployment_id_request_key",
                table: "ml_predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_tenant_id_request_id",
                table: "ml_predictions");

            migrationBuilder.DropColumn(
                name: "request_id",
                table: "ml_predictions");

            migrationBuilder.DropColumn(
                name: "row",
                table: "ml_predictions");
        }
    }
}
