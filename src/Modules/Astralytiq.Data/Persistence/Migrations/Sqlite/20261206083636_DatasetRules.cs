using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DatasetRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "rules_json",
                table: "data_datasets",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "rules_json",
                table: "data_datasets");
        }
    }
}
