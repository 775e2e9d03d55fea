using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Platform.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Quotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "platform_tenant_usage",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    metric = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    used = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platform_tenant_usage", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "platform_usage_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    metric = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platform_usage_records", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_platform_tenant_usage_tenant_id_metric_period",
                table: "platform_tenant_usage",
                columns: new[] { "tenant_id", "metric", "period" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_platform_usage_records_tenant_id_metric_key",
                table: "platform_usage_records",
                columns: new[] { "tenant_id", "metric", "key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "platform_tenant_usage");

            migrationBuilder.DropTable(
                name: "platform_usage_records");
        }
    }
}
