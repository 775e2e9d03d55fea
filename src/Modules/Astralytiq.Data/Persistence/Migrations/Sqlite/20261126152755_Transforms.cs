using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Transforms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "steps_json",
                table: "data_dataset_versions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "data_dataset_version_parents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_dataset_version_parents", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_version_parents_tenant_id_parent_dataset_id",
                table: "data_dataset_version_parents",
                columns: new[] { "tenant_id", "parent_dataset_id" });

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_version_parents_tenant_id_version_id",
                table: "data_dataset_version_parents",
                columns: new[] { "tenant_id", "version_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_dataset_version_parents");

            migrationBuilder.DropColumn(
                name: "steps_json",
                table: "data_dataset_versions");
        }
    }
}
