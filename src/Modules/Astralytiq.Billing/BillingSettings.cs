using System.ComponentModel.DataAnnotations;

namespace Astralytiq.Billing;

/// <summary><c>Astralytiq:Billing</c>: how invoices are numbered, when they fall due and when a period is closed.</summary>
public sealed class BillingSettings
{
    /// <summary>Put before each invoice number ("INV-" gives INV-000001).</summary>
    [RegularExpression("^[A-Za-z0-9-]{0,12}$")]
    public string InvoicePrefix { get; set; } = "INV-";

    /// <summary>Days between an invoice's issue and its due date.</summary>
    [Range(0, 120)]
    public int DueDays { get; set; } = 14;

    /// <summary>How long after a period ends its invoice is made, so use counted at the very end is written first.</summary>
    [Range(0, 1440)]
    public int CloseGraceMinutes { get; set; } = 30;

    /// <summary>Days before a trial ends its Admins are reminded.</summary>
    [Range(0, 30)]
    public int TrialReminderDays { get; set; } = 3;

    /// <summary>The payment provider: <c>offline</c> (invoices only; nothing leaves the machine) or <c>stripe</c>.</summary>
    [RegularExpression("^(offline|stripe)$")]
    public string Provider { get; set; } = "offline";

    /// <summary>Who the invoices are from (printed on them).</summary>
    [StringLength(200)]
    public string Seller { get; set; } = "Astralytiq";

    /// <summary>The seller's address and tax number, printed under its name (lines separated by <c>\n</c>).</summary>
    [StringLength(500)]
    public string? SellerDetails { get; set; }

    /// <summary>Stripe's keys (<c>Astralytiq:Billing:Stripe</c>); with them, tenants can be moved to pay by card.</summary>
    public Payments.StripeSettings Stripe { get; set; } = new();

    /// <summary>How an invoice of the offline provider is paid (bank details, say), printed on it.</summary>
    [StringLength(500)]
    public string? PaymentInstructions { get; set; }
}
