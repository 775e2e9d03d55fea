using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddDriftResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ml_ml_drift_results",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    window_start = table.Column<long>(type: "INTEGER", nullable: false),
                    window_end = table.Column<long>(type: "INTEGER", nullable: false),
                    model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    reference_version = table.Column<int>(type: "INTEGER", nullable: false),
                    predictions = table.Column<int>(type: "INTEGER", nullable: false),
                    drifted_share = table.Column<double>(type: "REAL", nullable: false),
                    drifted = table.Column<bool>(type: "INTEGER", nullable: false),
                    features_json = table.Column<string>(type: "TEXT", nullable: false),
                    computed_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_ml_drift_results", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_ml_drift_results_tenant_id_deployment_id_window_start_window_end",
                table: "ml_ml_drift_results",
                columns: new[] { "tenant_id", "deployment_id", "window_start", "window_end" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_ml_drift_results");
        }
    }
}
