using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VersionFinishRequested : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "finish_requested",
                schema: "ml",
                table: "ml_model_versions",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "finish_requested",
                schema: "ml",
                table: "ml_model_versions");
        }
    }
}
