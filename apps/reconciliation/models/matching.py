"""Matching a statement against finhub's purchases: the product mapping table and
the stored result of each run (see ``apps.reconciliation.matching``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.reconciliation.matching import pairing
from apps.reconciliation.models.statements import MONEY, ReconciliationStatement, StatementLine, Unit

QUANTITY: dict[str, Any] = {"max_digits": 28, "decimal_places": 8}
FACTOR: dict[str, Any] = {"max_digits": 20, "decimal_places": 6}


class ProductMapping(models.Model):
    """A supplier's product number (``productNo``) and the finhub product it is,
    with the factor from the supplier's unit to finhub's (a box of 12: 12).
    Kept by finance staff in the admin, and learned when a reviewer accepts a
    pairing that matching suggested by name."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered")
        LEARNED = "learned", _("learned from an accepted suggestion")

    supplier = models.ForeignKey(
        "purchases.Supplier", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier")
    )
    supplier_product_no = models.CharField(
        _("supplier product number"), max_length=100, help_text=_("productNo on the statement (upper case).")
    )
    product_code = models.CharField(_("finhub product code"), max_length=50)
    factor = models.DecimalField(
        _("factor"),
        default=1,
        help_text=_("finhub units in one supplier unit (a box of 12: 12)."),
        **FACTOR,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier unit"),
        help_text=_(
            "The statement unit the factor is for; a line in another unit is converted to it through the unit "
            "table. Blank: the factor applies to any unit."
        ),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("product mapping")
        verbose_name_plural = _("product mappings")
        ordering = ["supplier", "supplier_product_no"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "supplier_product_no"], name="recon_mapping_unique_product"),
            models.CheckConstraint(
                condition=Q(supplier_product_no=Upper("supplier_product_no")), name="recon_mapping_product_no_upper"
            ),
            models.CheckConstraint(condition=Q(factor__gt=0), name="recon_mapping_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_product_no} → {self.product_code}"


class MatchStatus(models.TextChoices):
    """The result of a statement's match, as the list shows it."""

    ALL_MATCHED = "all_matched", _("all matched")
    DIFFERENCES = "differences", _("differences")
    UNKNOWN_SUPPLIER = "unknown_supplier", _("unknown supplier")
    AMBIGUOUS_SUPPLIER = "ambiguous_supplier", _("ambiguous supplier")
    OTHER_BUYER = "other_buyer", _("other buyer")
    NOT_RUN = "not_run", _("not run")


class LineStatus(models.TextChoices):
    MATCHED = pairing.MATCHED, _("matched")
    QUANTITY_DIFFERS = pairing.QUANTITY_DIFFERS, _("quantity differs")
    PRICE_DIFFERS = pairing.PRICE_DIFFERS, _("price differs")
    AMOUNT_DIFFERS = pairing.AMOUNT_DIFFERS, _("amount differs")
    NOT_IN_PURCHASES = pairing.NOT_IN_PURCHASES, _("not in purchases")
    NOT_ON_STATEMENT = pairing.NOT_ON_STATEMENT, _("not on statement")
    OTHER_CURRENCY = pairing.OTHER_CURRENCY, _("other currency")


class BuyerCheck(models.TextChoices):
    OK = "ok", _("our company")
    SKIPPED = "skipped", _("not checked (COMPANY_TAX_ID is not set)")
    OTHER = "other", _("another buyer")


# Why a match ran (``services.Trigger`` values, kept as codes on the wire), in words.
TRIGGER_LABELS = {
    "received": _("statement received"),
    "purchases_changed": _("purchases changed"),
    "supplier_changed": _("supplier changed"),
    "admin": _("run from the admin"),
    "api": _("run through the API"),
    "command": _("run by a command"),
    "mapping": _("product mapping changed"),
    "unit": _("unit changed"),
    "demo": _("demo data"),
}


class StatementMatch(models.Model):
    """The stored result of matching one statement: when it ran, against which
    supplier, period and purchases, the totals and the difference by kind. Its
    lines are ``MatchLine`` rows. Stale when a purchase in its scope changed
    after it ran (it is then re-run, debounced)."""

    statement = models.OneToOneField(
        ReconciliationStatement, on_delete=models.CASCADE, related_name="match", verbose_name=_("statement")
    )
    status = models.CharField(_("match status"), max_length=20, choices=MatchStatus.choices, db_index=True)
    ran_at = models.DateTimeField(_("matched at"))
    trigger = models.CharField(_("run by"), max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The supplier as it was found (not a foreign key: the result is a record of that run).
    supplier_id = models.BigIntegerField(_("supplier id"), null=True, blank=True)
    supplier_code = models.CharField(_("supplier code"), max_length=50, blank=True)
    supplier_name = models.CharField(_("supplier name"), max_length=200, blank=True)
    candidates = models.JSONField(_("suppliers with this tax id"), default=list, blank=True)
    buyer_check = models.CharField(_("buyer"), max_length=10, choices=BuyerCheck.choices)
    currency = models.CharField(_("currency compared"), max_length=3, blank=True)
    currency_assumed = models.BooleanField(
        _("currency assumed"), default=False, help_text=_("The statement gave no currency.")
    )
    period_start = models.DateField(_("first day"), null=True, blank=True)
    period_end = models.DateField(_("last day"), null=True, blank=True)
    purchase_count = models.PositiveIntegerField(_("purchases in scope"), default=0)
    other_currency_lines = models.PositiveIntegerField(_("purchase lines in another currency"), default=0)
    statement_net = models.DecimalField(_("statement net"), null=True, blank=True, **MONEY)
    statement_tax = models.DecimalField(_("statement tax"), null=True, blank=True, **MONEY)
    statement_gross = models.DecimalField(_("statement gross"), null=True, blank=True, **MONEY)
    purchases_net = models.DecimalField(_("purchases net"), null=True, blank=True, **MONEY)
    purchases_tax = models.DecimalField(_("purchases tax"), null=True, blank=True, **MONEY)
    purchases_gross = models.DecimalField(_("purchases gross"), null=True, blank=True, **MONEY)
    paired_net = models.DecimalField(_("paired purchases net"), null=True, blank=True, **MONEY)
    paired_tax = models.DecimalField(_("paired purchases tax"), null=True, blank=True, **MONEY)
    paired_gross = models.DecimalField(_("paired purchases gross"), null=True, blank=True, **MONEY)
    difference_net = models.DecimalField(_("difference net"), null=True, blank=True, **MONEY)
    difference_tax = models.DecimalField(_("difference tax"), null=True, blank=True, **MONEY)
    difference_gross = models.DecimalField(_("difference gross"), null=True, blank=True, **MONEY)
    difference_by_kind = models.JSONField(
        _("difference by kind"), default=dict, blank=True, help_text=_('{kind: {"net", "tax", "gross"}} as strings.')
    )
    line_counts = models.JSONField(_("lines by status"), default=dict, blank=True)
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    rerun_due_at = models.DateTimeField(_("re-run queued for"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement match")
        verbose_name_plural = _("statement matches")
        indexes = [models.Index(fields=["supplier_id", "period_start", "period_end"], name="recon_match_scope_idx")]

    def __str__(self) -> str:
        return f"{self.statement} {self.get_status_display()}"

    @property
    def trigger_label(self) -> str:
        return str(TRIGGER_LABELS.get(self.trigger, self.trigger))

    @property
    def is_stale(self) -> bool:
        return self.stale_since is not None


class MatchLine(models.Model):
    """One row of the match table: a statement line and/or a purchase line.
    The lines of one pairing share ``pairing``; its differences (statement
    minus purchases) are on its first row. Purchase data is copied as it was
    when the match ran."""

    # A large period makes 10,000 rows per run, written by one COPY: no
    # per-row foreign-key check (the rows are written only with their match,
    # and deleted with it by Django's cascade) and no index of its own (the
    # unique (match, position) index serves every lookup by match).
    match = models.ForeignKey(
        StatementMatch,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("match"),
        db_constraint=False,
        db_index=False,
    )
    position = models.PositiveIntegerField(_("position"))
    pairing = models.PositiveIntegerField(_("pairing"))
    status = models.CharField(_("status"), max_length=20, choices=LineStatus.choices)
    step = models.PositiveSmallIntegerField(_("pairing step"), default=0)
    suggested = models.BooleanField(_("suggested"), default=False, help_text=_("Paired by name, not by product."))
    key_source = models.CharField(_("paired by"), max_length=10, blank=True)
    product_code = models.CharField(_("finhub product code"), max_length=50, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    statement_line = models.ForeignKey(
        StatementLine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("statement line"),
    )
    factor = models.DecimalField(_("factor"), null=True, blank=True, **FACTOR)
    statement_quantity = models.DecimalField(_("statement quantity (our unit)"), null=True, blank=True, **QUANTITY)
    statement_net = models.DecimalField(_("statement net"), null=True, blank=True, **MONEY)
    statement_tax = models.DecimalField(_("statement tax"), null=True, blank=True, **MONEY)
    statement_gross = models.DecimalField(_("statement gross"), null=True, blank=True, **MONEY)
    purchase_id = models.BigIntegerField(_("purchase id"), null=True, blank=True, db_index=True)
    purchase_number = models.BigIntegerField(_("purchase number"), null=True, blank=True)
    purchase_version = models.DateTimeField(_("purchase version"), null=True, blank=True)
    purchase_issued_date = models.DateField(_("issued"), null=True, blank=True)
    purchase_currency = models.CharField(_("purchase currency"), max_length=3, blank=True)
    purchase_line_id = models.BigIntegerField(_("purchase line id"), null=True, blank=True)
    purchase_line_number = models.PositiveIntegerField(_("purchase line"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    purchase_product_code = models.CharField(_("purchase product"), max_length=50, blank=True)
    purchase_quantity = models.DecimalField(_("purchase quantity"), null=True, blank=True, **QUANTITY)
    purchase_rate = models.DecimalField(_("rate"), null=True, blank=True, **MONEY)
    purchase_net = models.DecimalField(_("purchase net"), null=True, blank=True, **MONEY)
    purchase_tax = models.DecimalField(_("purchase VAT"), null=True, blank=True, **MONEY)
    purchase_gross = models.DecimalField(_("purchase gross"), null=True, blank=True, **MONEY)
    quantity_difference = models.DecimalField(_("quantity difference"), null=True, blank=True, **QUANTITY)
    net_difference = models.DecimalField(_("net difference"), null=True, blank=True, **MONEY)
    tax_difference = models.DecimalField(_("tax difference"), null=True, blank=True, **MONEY)
    gross_difference = models.DecimalField(_("gross difference"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("match line")
        verbose_name_plural = _("match lines")
        ordering = ["match", "position"]
        constraints = [models.UniqueConstraint(fields=["match", "position"], name="recon_matchline_unique_position")]

    def __str__(self) -> str:
        return f"{self.pairing}: {self.get_status_display()}"
