using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FeedbackIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_tenant_id_deployment_id_request_key",
                table: "ml_predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_tenant_id_request_id",
                table: "ml_predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_ml_feedback_tenant_id_deployment_id_predicted_at",
                table: "ml_ml_feedback");

            migrationBuilder.DropIndex(
                name: "ix_ml_ml_feedback_tenant_id_prediction_id",
                table: "ml_ml_feedback");

            migrationBuilder.CreateIndex(
                name: "ix_ml_predictions_deployment_id_request_key_created_at",
                table: "ml_predictions",
                columns: new[] { "deployment_id", "request_key", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_predictions_request_id_row",
                table: "ml_predictions",
                columns: new[] { "request_id", "row" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_feedback_deployment_id_predicted_at",
                table: "ml_ml_feedback",
                columns: new[] { "deployment_id", "predicted_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_feedback_prediction_id",
                table: "ml_ml_feedback",
                column: "prediction_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_deployment_id_request_key_created_at",
                table: "ml_predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_predictions_request_id_row",
                table: "ml_predictions");

            migrationBuilder.DropIndex(
                name: "ix_ml_ml_feedback_deployment_id_predicted_at",
                table: "ml_ml_feedback");

            migrationBuilder.DropIndex(
                name: "ix_ml_ml_feedback_prediction_id",
                table: "ml_ml_feedback");

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
        }
    }
}
