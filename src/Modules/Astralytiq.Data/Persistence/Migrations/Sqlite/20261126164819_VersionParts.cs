using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VersionParts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "parts_json",
                table: "data_dataset_versions",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "parts_json",
                table: "data_dataset_versions");
        }
    }
}
