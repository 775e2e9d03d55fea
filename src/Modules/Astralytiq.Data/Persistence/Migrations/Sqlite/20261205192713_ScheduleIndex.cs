using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScheduleIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_data_pipelines_enabled_next_run_at",
                table: "data_pipelines");

            migrationBuilder.CreateIndex(
                name: "ix_data_pipelines_next_run_at",
                table: "data_pipelines",
                column: "next_run_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_data_pipelines_next_run_at",
                table: "data_pipelines");

            migrationBuilder.CreateIndex(
                name: "ix_data_pipelines_enabled_next_run_at",
                table: "data_pipelines",
                columns: new[] { "enabled", "next_run_at" });
        }
    }
}
