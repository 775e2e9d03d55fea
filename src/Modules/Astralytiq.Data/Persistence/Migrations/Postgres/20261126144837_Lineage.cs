using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Lineage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dataset_uses",
                schema: "data",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dataset_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: true),
                    consumer_kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    consumer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dataset_uses", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dataset_uses_tenant_id_consumer_kind_consumer_id_dataset_id",
                schema: "data",
                table: "dataset_uses",
                columns: new[] { "tenant_id", "consumer_kind", "consumer_id", "dataset_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dataset_uses_tenant_id_dataset_id",
                schema: "data",
                table: "dataset_uses",
                columns: new[] { "tenant_id", "dataset_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dataset_uses",
                schema: "data");
        }
    }
}
