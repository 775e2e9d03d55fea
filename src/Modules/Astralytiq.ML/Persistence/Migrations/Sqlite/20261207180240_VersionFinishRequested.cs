using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.ML.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VersionFinishRequested : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "finish_requested",
                table: "ml_ml_model_versions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "finish_requested",
                table: "ml_ml_model_versions");
        }
    }
}
