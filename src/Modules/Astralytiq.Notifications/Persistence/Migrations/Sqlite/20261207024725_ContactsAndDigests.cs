using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Notifications.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ContactsAndDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "notifications_contacts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sms_number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    email_digest = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    cron = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    next_run_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_contacts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications_digest_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    link = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_digest_items", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_contacts_next_run_at",
                table: "notifications_contacts",
                column: "next_run_at");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_contacts_tenant_id_user_id",
                table: "notifications_contacts",
                columns: new[] { "tenant_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_digest_items_tenant_id_user_id_created_at",
                table: "notifications_digest_items",
                columns: new[] { "tenant_id", "user_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notifications_contacts");

            migrationBuilder.DropTable(
                name: "notifications_digest_items");
        }
    }
}
