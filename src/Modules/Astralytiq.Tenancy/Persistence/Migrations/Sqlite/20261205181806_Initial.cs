using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Tenancy.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tenancy_outbox",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    encrypted = table.Column<bool>(type: "INTEGER", nullable: false),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    dispatched_at = table.Column<long>(type: "INTEGER", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    locked_until = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenancy_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenancy_tenant_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    master_key_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    wrapped_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenancy_tenant_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenancy_tenant_plans",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    plan = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenancy_tenant_plans", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenancy_tenants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    slug = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    plan = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    locale = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    logo_url = table.Column<string>(type: "TEXT", maxLength: 300000, nullable: true),
                    primary_color = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    accent_color = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    features_json = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenancy_tenants", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tenancy_outbox_dispatched_at_next_attempt_at",
                table: "tenancy_outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tenancy_tenant_keys_tenant_id",
                table: "tenancy_tenant_keys",
                column: "tenant_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenancy_tenant_plans_tenant_id",
                table: "tenancy_tenant_plans",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_tenancy_tenants_slug",
                table: "tenancy_tenants",
                column: "slug",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tenancy_outbox");

            migrationBuilder.DropTable(
                name: "tenancy_tenant_keys");

            migrationBuilder.DropTable(
                name: "tenancy_tenant_plans");

            migrationBuilder.DropTable(
                name: "tenancy_tenants");
        }
    }
}
