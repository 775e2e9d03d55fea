using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Tenancy.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PlanVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "plan_version",
                schema: "tenancy",
                table: "tenants",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<int>(
                name: "version",
                schema: "tenancy",
                table: "tenant_plans",
                type: "integer",
                nullable: false,
                defaultValue: 1);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "plan_version",
                schema: "tenancy",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "version",
                schema: "tenancy",
                table: "tenant_plans");
        }
    }
}
