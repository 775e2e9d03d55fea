using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Platform.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Metering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "day",
                schema: "platform",
                table: "usage_records",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "subject",
                schema: "platform",
                table: "usage_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "usage_warnings",
                schema: "platform",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    metric = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    percent = table.Column<int>(type: "integer", nullable: false),
                    used = table.Column<long>(type: "bigint", nullable: false),
                    limit = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_warnings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_usage_records_tenant_id_day_metric",
                schema: "platform",
                table: "usage_records",
                columns: new[] { "tenant_id", "day", "metric" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_warnings_tenant_id_metric_period_percent",
                schema: "platform",
                table: "usage_warnings",
                columns: new[] { "tenant_id", "metric", "period", "percent" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "usage_warnings",
                schema: "platform");

            migrationBuilder.DropIndex(
                name: "ix_usage_records_tenant_id_day_metric",
                schema: "platform",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "day",
                schema: "platform",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "subject",
                schema: "platform",
                table: "usage_records");
        }
    }
}
