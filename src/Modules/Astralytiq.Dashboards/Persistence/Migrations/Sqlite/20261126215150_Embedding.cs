using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Dashboards.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Embedding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "embed_enabled",
                table: "dashboards_dashboards",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "embed_locked_filters_json",
                table: "dashboards_dashboards",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "dashboards_embedding_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sealed_secret = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dashboards_embedding_keys", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dashboards_embedding_keys_tenant_id",
                table: "dashboards_embedding_keys",
                column: "tenant_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dashboards_embedding_keys");

            migrationBuilder.DropColumn(
                name: "embed_enabled",
                table: "dashboards_dashboards");

            migrationBuilder.DropColumn(
                name: "embed_locked_filters_json",
                table: "dashboards_dashboards");
        }
    }
}
