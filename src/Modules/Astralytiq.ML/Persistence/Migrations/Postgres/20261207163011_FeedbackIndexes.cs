using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FeedbackIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_predictions_tenant_id_deployment_id_request_key",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropIndex(
                name: "ix_predictions_tenant_id_request_id",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_feedback_tenant_id_deployment_id_predicted_at",
                schema: "ml",
                table: "ml_feedback");

            migrationBuilder.DropIndex(
                name: "ix_ml_feedback_tenant_id_prediction_id",
                schema: "ml",
                table: "ml_feedback");

            migrationBuilder.CreateIndex(
                name: "ix_predictions_deployment_id_request_key_created_at",
                schema: "ml",
                table: "predictions",
                columns: new[] { "deployment_id", "request_key", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_predictions_request_id_row",
                schema: "ml",
                table: "predictions",
                columns: new[] { "request_id", "row" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_feedback_deployment_id_predicted_at",
                schema: "ml",
                table: "ml_feedback",
                columns: new[] { "deployment_id", "predicted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_feedback_prediction_id",
                schema: "ml",
                table: "ml_feedback",
                column: "prediction_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_predictions_deployment_id_request_key_created_at",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropIndex(
                name: "ix_predictions_request_id_row",
                schema: "ml",
                table: "predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_feedback_deployment_id_predicted_at",
                schema: "ml",
                table: "ml_feedback");

            migrationBuilder.DropIndex(
                name: "ix_ml_feedback_prediction_id",
                schema: "ml",
                table: "ml_feedback");

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
        }
    }
}
