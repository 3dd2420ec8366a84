"""Invoices as SAP reports them: each import replaces a whole year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import ImportJob


class Invoice(models.Model):
    """One invoice line of SAP's yearly report. Read-only in finhub: the next
    import of its year replaces it. ``job`` is the import that loaded it; the
    rows of a year always come from exactly one (the last successful) job.

    On PostgreSQL the table is partitioned by LIST (year): one partition per
    year, swapped whole by each import (apps.core.importing.partitions), and a
    DEFAULT partition for rows written otherwise. Its primary key is (id, year);
    ids stay unique through one sequence."""

    class InvoiceType(models.TextChoices):
        INVOICE = "M", _("invoice")
        CREDIT = "O", _("credit")
        DEBIT = "L", _("debit")
        CANCEL = "S", _("cancellation")

    class ReverseMark(models.IntegerChoices):
        NOT_REVERSED = 0, _("not reversed")
        REVERSED = 1, _("reversed")

    # No database FK constraint: a per-row foreign-key trigger would triple the
    # cost of COPYing a million rows. Rows are only ever written by the import
    # that creates their job, in the same transaction, and jobs are never deleted.
    # No index either: a year's rows all have the same job.
    job = models.ForeignKey(
        ImportJob,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("import"),
        db_constraint=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    order_id = models.CharField(_("order number"), max_length=64)
    sap_order_id = models.CharField(_("SAP order number"), max_length=64)
    invoice_id = models.CharField(_("invoice number"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=4)
    tax_amount = models.DecimalField(_("tax amount"), max_digits=20, decimal_places=4)
    due_date = models.DateField(_("due date"))
    distribution_channel = models.CharField(_("distribution channel"), max_length=32)
    delivery_note = models.CharField(_("delivery note"), max_length=64, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    payer = models.CharField(_("payer"), max_length=64)
    reverse_mark = models.PositiveSmallIntegerField(_("reversal"), choices=ReverseMark.choices)
    create_date = models.DateField(_("created on"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=9, decimal_places=6)
    tax_code = models.CharField(_("tax code"), max_length=32, blank=True)
    invoice_date = models.DateField(_("invoice date"))
    order_item = models.CharField(_("order item"), max_length=32, blank=True)
    reverse_id = models.CharField(_("reversed invoice"), max_length=64, blank=True)
    invoice_type = models.CharField(_("type"), max_length=1, choices=InvoiceType.choices)
    amount_lc = models.DecimalField(_("amount (local currency)"), max_digits=20, decimal_places=4)
    currency_lc = models.CharField(_("local currency"), max_length=3)
    tax_amount_lc = models.DecimalField(_("tax amount (local currency)"), max_digits=20, decimal_places=4)
    order_items = models.JSONField(_("order items"), default=list, blank=True)
    bill_to = models.CharField(_("bill-to party"), max_length=64)
    row_hash = models.CharField(_("row digest"), max_length=32, editable=False)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["invoice_date", "invoice_id"]
        constraints = [
            # One row per invoiceId within a year (the year partition on PostgreSQL).
            models.UniqueConstraint(fields=["year", "invoice_id"], name="invoices_unique_id_per_year"),
            models.CheckConstraint(condition=models.Q(reverse_mark__in=[0, 1]), name="invoices_reverse_mark_0_1"),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0) & models.Q(tax_rate__lt=1), name="invoices_tax_rate_fraction"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "invoice_date"], name="invoices_year_date_idx"),
            models.Index(fields=["payer"], name="invoices_payer_idx"),
            models.Index(fields=["bill_to"], name="invoices_bill_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} ({self.invoice_date})"


class InvoiceYearTotal(models.Model):
    """Count and sums of one year's invoices in one currency: an aggregate table
    rewritten by each import of the year (in the import's transaction), so that
    the home page reads a handful of rows instead of summing a million."""

    year = models.PositiveSmallIntegerField(_("year"))
    currency = models.CharField(_("currency"), max_length=3)
    invoice_count = models.PositiveIntegerField(_("invoices"))
    amount = models.DecimalField(_("amount"), max_digits=24, decimal_places=4)
    tax_amount = models.DecimalField(_("tax amount"), max_digits=24, decimal_places=4)

    class Meta:
        # Not named invoices_invoice*: those are the invoice table and its partitions.
        db_table = "invoices_year_total"
        verbose_name = _("invoice total per year")
        verbose_name_plural = _("invoice totals per year")
        ordering = ["-year", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["year", "currency"], name="invoices_year_total_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.currency}"
