"""SAP's AP open balance: every report is a full snapshot; the newest successful
one is current, the older ones stay as history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.models import ApiClient, ImportJob

MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 4}


class SnapshotQuerySet(models.QuerySet["Snapshot"]):
    def current(self) -> SnapshotQuerySet:
        return self.filter(is_current=True)


class Snapshot(models.Model):
    """One accepted AP open-balance report. ``totals`` maps each currency to its
    row count and summed open balance (strings, exact decimals)."""

    job = models.OneToOneField(ImportJob, on_delete=models.PROTECT, related_name="+", verbose_name=_("import"))
    client = models.ForeignKey(
        ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("client")
    )
    trace_id = models.CharField(_("trace id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    totals = models.JSONField(_("totals per currency"), default=dict, blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("AP open-balance snapshot")
        verbose_name_plural = _("AP open-balance snapshots")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="ap_balance_one_current_snapshot"
            ),
        ]

    def __str__(self) -> str:
        label = timezone.localtime(self.received_at).strftime("%Y-%m-%d %H:%M")
        return f"#{self.pk} {label}" + (f" ({gettext('current')})" if self.is_current else "")

    @property
    def snapshot_date(self) -> dt.date:
        """The day the report was received (local time): the default as-of date of its ageing."""
        return timezone.localdate(self.received_at)


class SnapshotLine(models.Model):
    """One open item of a snapshot, with SAP's fields. Read-only in finhub.

    On PostgreSQL the table is partitioned by LIST (snapshot): each import's lines
    are loaded and indexed as a table of their own and attached as the
    snapshot's partition (apps.core.importing.partitions); pruning a snapshot
    drops its partition. Its primary key is (id, snapshot_id)."""

    class Clearing(models.TextChoices):
        NONE = "", _("not given")
        UNCLEARED = "N", _("uncleared (BSIK)")
        CLEARED = "Y", _("cleared (BSAK)")

    # Indexed by the composite indexes below (and on PostgreSQL by the partitioning).
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="lines", verbose_name=_("snapshot"), db_index=False
    )
    company_code = models.CharField(_("company code"), max_length=32, blank=True)
    sap_dealer_code = models.CharField(_("dealer"), max_length=64)
    invoice_id = models.CharField(_("invoice number"), max_length=64)
    open_balance = models.DecimalField(_("open balance"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    fiscal_year = models.CharField(_("fiscal year"), max_length=4, blank=True)
    invoicing_reference = models.CharField(_("invoicing reference"), max_length=64, blank=True)
    clearing_identification = models.CharField(_("clearing"), max_length=1, choices=Clearing.choices, blank=True)
    clear_amount = models.DecimalField(_("cleared amount"), null=True, blank=True, **MONEY)
    amount_lc = models.DecimalField(_("amount (local currency)"), **MONEY)
    voucher_no = models.CharField(_("voucher number"), max_length=64, blank=True)
    currency_lc = models.CharField(_("local currency"), max_length=3)
    due_date = models.DateField(_("due date"))
    row_hash = models.CharField(_("row digest"), max_length=32, editable=False)

    class Meta:
        verbose_name = _("AP open-balance line")
        verbose_name_plural = _("AP open-balance lines")
        ordering = ["sap_dealer_code", "due_date", "invoice_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "company_code", "sap_dealer_code", "invoice_id"],
                name="ap_balance_line_unique_per_snapshot",
            ),
            models.CheckConstraint(
                condition=Q(clearing_identification__in=["", "N", "Y"]), name="ap_balance_line_clearing_n_y"
            ),
        ]
        indexes = [
            models.Index(fields=["snapshot", "sap_dealer_code", "due_date"], name="ap_balance_line_dealer_idx"),
            models.Index(fields=["snapshot", "due_date"], name="ap_balance_line_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} ({self.sap_dealer_code})"
