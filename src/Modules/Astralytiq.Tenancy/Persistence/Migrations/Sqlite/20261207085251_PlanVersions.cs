using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Tenancy.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PlanVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "plan_version",
                table: "tenancy_tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<int>(
                name: "version",
                table: "tenancy_tenant_plans",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "plan_version",
                table: "tenancy_tenants");

            migrationBuilder.DropColumn(
                name: "version",
                table: "tenancy_tenant_plans");
        }
    }
}
