using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Billing.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StripePayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "payment_method_ready",
                schema: "billing",
                table: "subscriptions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "payment_error",
                schema: "billing",
                table: "invoices",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "provider_updated_at",
                schema: "billing",
                table: "invoices",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "provider_events",
                schema: "billing",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    provider = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provider_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_provider_customer_id",
                schema: "billing",
                table: "subscriptions",
                column: "provider_customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_provider_invoice_id",
                schema: "billing",
                table: "invoices",
                column: "provider_invoice_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "provider_events",
                schema: "billing");

            migrationBuilder.DropIndex(
                name: "ix_subscriptions_provider_customer_id",
                schema: "billing",
                table: "subscriptions");

            migrationBuilder.DropIndex(
                name: "ix_invoices_provider_invoice_id",
                schema: "billing",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "payment_method_ready",
                schema: "billing",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "payment_error",
                schema: "billing",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "provider_updated_at",
                schema: "billing",
                table: "invoices");
        }
    }
}
