using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ScheduleIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_pipelines_enabled_next_run_at",
                schema: "data",
                table: "pipelines");

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_next_run_at",
                schema: "data",
                table: "pipelines",
                column: "next_run_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_pipelines_next_run_at",
                schema: "data",
                table: "pipelines");

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_enabled_next_run_at",
                schema: "data",
                table: "pipelines",
                columns: new[] { "enabled", "next_run_at" });
        }
    }
}
