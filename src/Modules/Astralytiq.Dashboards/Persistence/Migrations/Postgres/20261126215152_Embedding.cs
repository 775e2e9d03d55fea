using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Dashboards.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Embedding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "embed_enabled",
                schema: "dashboards",
                table: "dashboards",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "embed_locked_filters_json",
                schema: "dashboards",
                table: "dashboards",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "embedding_keys",
                schema: "dashboards",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sealed_secret = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_embedding_keys", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_embedding_keys_tenant_id",
                schema: "dashboards",
                table: "embedding_keys",
                column: "tenant_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "embedding_keys",
                schema: "dashboards");

            migrationBuilder.DropColumn(
                name: "embed_enabled",
                schema: "dashboards",
                table: "dashboards");

            migrationBuilder.DropColumn(
                name: "embed_locked_filters_json",
                schema: "dashboards",
                table: "dashboards");
        }
    }
}
