using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VersionParts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "parts_json",
                schema: "data",
                table: "dataset_versions",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "parts_json",
                schema: "data",
                table: "dataset_versions");
        }
    }
}
