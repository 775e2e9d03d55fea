using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddDriftResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ml_drift_results",
                schema: "ml",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    window_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    window_end = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    reference_version = table.Column<int>(type: "integer", nullable: false),
                    predictions = table.Column<int>(type: "integer", nullable: false),
                    drifted_share = table.Column<double>(type: "double precision", nullable: false),
                    drifted = table.Column<bool>(type: "boolean", nullable: false),
                    features_json = table.Column<string>(type: "text", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_drift_results", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_drift_results_tenant_id_deployment_id_window_start_windo",
                schema: "ml",
                table: "ml_drift_results",
                columns: new[] { "tenant_id", "deployment_id", "window_start", "window_end" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_drift_results",
                schema: "ml");
        }
    }
}
