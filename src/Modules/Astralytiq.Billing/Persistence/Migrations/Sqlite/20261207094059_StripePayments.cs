using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Billing.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StripePayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "payment_method_ready",
                table: "billing_subscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "payment_error",
                table: "billing_invoices",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "provider_updated_at",
                table: "billing_invoices",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "billing_provider_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    provider = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_provider_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_billing_subscriptions_provider_customer_id",
                table: "billing_subscriptions",
                column: "provider_customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_billing_invoices_provider_invoice_id",
                table: "billing_invoices",
                column: "provider_invoice_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing_provider_events");

            migrationBuilder.DropIndex(
                name: "ix_billing_subscriptions_provider_customer_id",
                table: "billing_subscriptions");

            migrationBuilder.DropIndex(
                name: "ix_billing_invoices_provider_invoice_id",
                table: "billing_invoices");

            migrationBuilder.DropColumn(
                name: "payment_method_ready",
                table: "billing_subscriptions");

            migrationBuilder.DropColumn(
                name: "payment_error",
                table: "billing_invoices");

            migrationBuilder.DropColumn(
                name: "provider_updated_at",
                table: "billing_invoices");
        }
    }
}
