using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Platform.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageConfirmed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "confirmed_at",
                table: "platform_usage_records",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "confirmed_at",
                table: "platform_usage_records");
        }
    }
}
