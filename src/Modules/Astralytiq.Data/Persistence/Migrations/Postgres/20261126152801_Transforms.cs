using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Transforms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "steps_json",
                schema: "data",
                table: "dataset_versions",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "dataset_version_parents",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    parent_dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    parent_version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dataset_version_parents", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_version_parents_tenant_id_parent_dataset_id",
                schema: "data",
                table: "dataset_version_parents",
                columns: new[] { "tenant_id", "parent_dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_version_parents_tenant_id_version_id",
                schema: "data",
                table: "dataset_version_parents",
                columns: new[] { "tenant_id", "version_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dataset_version_parents",
                schema: "data");

            migrationBuilder.DropColumn(
                name: "steps_json",
                schema: "data",
                table: "dataset_versions");
        }
    }
}
