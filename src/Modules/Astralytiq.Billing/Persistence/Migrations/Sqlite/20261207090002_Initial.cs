using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Astralytiq.Billing.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "billing_credits",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    amount_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    invoice_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_credits", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_invoice_sequences",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    last = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_invoice_sequences", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_invoices",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    period_start = table.Column<long>(type: "INTEGER", nullable: false),
                    period_end = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    subtotal_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    tax_rate_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    tax_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    credit_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    total_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    issued_at = table.Column<long>(type: "INTEGER", nullable: false),
                    due_at = table.Column<long>(type: "INTEGER", nullable: false),
                    paid_at = table.Column<long>(type: "INTEGER", nullable: true),
                    provider = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    provider_invoice_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    bill_to = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    bill_to_email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    bill_to_address = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    bill_to_tax_id = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    emailed_to = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    emailed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_invoices", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_outbox",
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
                    locked_until = table.Column<long>(type: "INTEGER", nullable: true),
                    trace_parent = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_plan_segments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    plan_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    plan_version = table.Column<int>(type: "INTEGER", nullable: false),
                    plan_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    price_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    trial = table.Column<bool>(type: "INTEGER", nullable: false),
                    starts_at = table.Column<long>(type: "INTEGER", nullable: false),
                    ends_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_plan_segments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_plan_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    price_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    limits_json = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    features = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    overage_json = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    trial_days = table.Column<int>(type: "INTEGER", nullable: false),
                    @public = table.Column<bool>(name: "public", type: "INTEGER", nullable: false),
                    archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_plan_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_subscriptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    plan_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    plan_version = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    period_start = table.Column<long>(type: "INTEGER", nullable: false),
                    period_end = table.Column<long>(type: "INTEGER", nullable: false),
                    pending_plan_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    pending_plan_version = table.Column<int>(type: "INTEGER", nullable: true),
                    cancel_at_period_end = table.Column<bool>(type: "INTEGER", nullable: false),
                    trial_ends_at = table.Column<long>(type: "INTEGER", nullable: true),
                    trial_return_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    trial_return_version = table.Column<int>(type: "INTEGER", nullable: true),
                    trial_reminder_sent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    tax_rate_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    credit_balance_cents = table.Column<long>(type: "INTEGER", nullable: false),
                    legal_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    billing_email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    address = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    tax_id = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    provider = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    provider_customer_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    provider_subscription_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    created_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    cron = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    next_run_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_subscriptions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "billing_invoice_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    invoice_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    metric = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    quantity = table.Column<long>(type: "INTEGER", nullable: false),
                    amount_cents = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_invoice_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_billing_invoice_lines_billing_invoices_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "billing_invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "billing_invoice_sequences",
                columns: new[] { "id", "last" },
                values: new object[] { "invoices", 0L });

            migrationBuilder.CreateIndex(
                name: "ix_billing_credits_tenant_id_created_at",
                table: "billing_credits",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_billing_invoice_lines_invoice_id",
                table: "billing_invoice_lines",
                column: "invoice_id");

            migrationBuilder.CreateIndex(
                name: "ix_billing_invoice_lines_tenant_id_invoice_id_position",
                table: "billing_invoice_lines",
                columns: new[] { "tenant_id", "invoice_id", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_billing_invoices_number",
                table: "billing_invoices",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_billing_invoices_sequence",
                table: "billing_invoices",
                column: "sequence",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_billing_invoices_tenant_id_period",
                table: "billing_invoices",
                columns: new[] { "tenant_id", "period" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_billing_outbox_dispatched_at_next_attempt_at",
                table: "billing_outbox",
                columns: new[] { "dispatched_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_billing_plan_segments_tenant_id_starts_at",
                table: "billing_plan_segments",
                columns: new[] { "tenant_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_billing_plan_versions_code_version",
                table: "billing_plan_versions",
                columns: new[] { "code", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_billing_subscriptions_next_run_at",
                table: "billing_subscriptions",
                column: "next_run_at");

            migrationBuilder.CreateIndex(
                name: "ix_billing_subscriptions_tenant_id",
                table: "billing_subscriptions",
                column: "tenant_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing_credits");

            migrationBuilder.DropTable(
                name: "billing_invoice_lines");

            migrationBuilder.DropTable(
                name: "billing_invoice_sequences");

            migrationBuilder.DropTable(
                name: "billing_outbox");

            migrationBuilder.DropTable(
                name: "billing_plan_segments");

            migrationBuilder.DropTable(
                name: "billing_plan_versions");

            migrationBuilder.DropTable(
                name: "billing_subscriptions");

            migrationBuilder.DropTable(
                name: "billing_invoices");
        }
    }
}
