using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Data.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Lineage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_dataset_uses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dataset_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: true),
                    consumer_kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    consumer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_dataset_uses", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_uses_tenant_id_consumer_kind_consumer_id_dataset_id",
                table: "data_dataset_uses",
                columns: new[] { "tenant_id", "consumer_kind", "consumer_id", "dataset_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_data_dataset_uses_tenant_id_dataset_id",
                table: "data_dataset_uses",
                columns: new[] { "tenant_id", "dataset_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_dataset_uses");
        }
    }
}
