using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Dashboards.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Shares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dashboards_dashboard_shares",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dashboard_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    role = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    access = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_dashboard_shares", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_shares_tenant_id_dashboard_id",
                table: "dashboards_dashboard_shares",
                columns: new[] { "tenant_id", "dashboard_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_dashboard_shares_tenant_id_user_id",
                table: "dashboards_dashboard_shares",
                columns: new[] { "tenant_id", "user_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dashboards_dashboard_shares");
        }
    }
}
