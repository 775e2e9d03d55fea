using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Platform.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Metering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "day",
                table: "platform_usage_records",
                type: "TEXT",
                maxLength: 10,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "subject",
                table: "platform_usage_records",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "platform_usage_warnings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    metric = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    percent = table.Column<int>(type: "INTEGER", nullable: false),
                    used = table.Column<long>(type: "INTEGER", nullable: false),
                    limit = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platform_usage_warnings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_platform_usage_records_tenant_id_day_metric",
                table: "platform_usage_records",
                columns: new[] { "tenant_id", "day", "metric" });

            migrationBuilder.CreateIndex(
                name: "ix_platform_usage_warnings_tenant_id_metric_period_percent",
                table: "platform_usage_warnings",
                columns: new[] { "tenant_id", "metric", "period", "percent" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "platform_usage_warnings");

            migrationBuilder.DropIndex(
                name: "ix_platform_usage_records_tenant_id_day_metric",
                table: "platform_usage_records");

            migrationBuilder.DropColumn(
                name: "day",
                table: "platform_usage_records");

            migrationBuilder.DropColumn(
                name: "subject",
                table: "platform_usage_records");
        }
    }
}
