"""Xunlian reconciliation statements: a supplier's list of what it delivered to a
buyer in a period, which the buyer's finance staff confirm or dispute."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.bounds import DATETIME_MAX, DATETIME_MIN, BoundsError, field_bounds
from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.models import ApiClient
from apps.reconciliation import messages

MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 4}


class Unit(models.Model):
    """A unit of measure a statement line may use (EA, KG, ...); seeded by a
    migration and kept by finance staff in the admin."""

    code = models.CharField(_("code"), max_length=16, unique=True, help_text=_("As sent on the wire, e.g. EA."))
    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(
        _("Chinese name"), max_length=30, blank=True, help_text=_("Also accepted on the wire, e.g. 个.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    base_unit = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("base unit"),
        help_text=_("Matching converts quantities between units with the same base unit (KG and T: G)."),
    )
    base_factor = models.DecimalField(
        _("factor to the base unit"),
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("How many base units one of this unit is (KG: 1000 G)."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code=Upper("code")), name="recon_unit_code_upper"),
            models.CheckConstraint(
                condition=Q(base_unit__isnull=True, base_factor__isnull=True)
                | Q(base_unit__isnull=False, base_factor__gt=0),
                name="recon_unit_base_with_factor",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class StatementTransitionError(ConflictError):
    """A workflow step that the statement's current status does not allow."""


def _history_user(request: Any = None, **kwargs: Any) -> Any:
    """Only people are recorded as the author of a change; API clients are not users."""
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) else None


class ReconciliationStatementQuerySet(models.QuerySet["ReconciliationStatement"]):
    def received(self) -> ReconciliationStatementQuerySet:
        return self.filter(status=ReconciliationStatement.Status.RECEIVED)

    def overlapping(self, start: Any, end: Any) -> ReconciliationStatementQuerySet:
        """Statements whose period shares at least one instant with [start, end]."""
        return self.filter(start_time__lte=end, end_time__gte=start)


class ReconciliationStatement(models.Model):
    """One statement as the supplier sent it. The lines and parties are the
    supplier's data and never edited here; only the review status changes."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        CONFIRMED = "confirmed", _("confirmed")
        DISPUTED = "disputed", _("disputed")

    public_id = models.UUIDField(_("statement id"), default=uuid.uuid4, unique=True, editable=False)
    reconciliation_no = models.CharField(_("statement number"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217; empty if not sent."))
    start_time = models.DateTimeField(_("period start"))
    end_time = models.DateTimeField(_("period end"))
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_tax_id = models.CharField(_("buyer tax id"), max_length=20, db_index=True)
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_tax_id = models.CharField(_("supplier tax id"), max_length=20, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    dispute_reason = models.TextField(_("dispute reason"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    client = models.ForeignKey(
        ApiClient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reconciliation_statements",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    history = HistoricalRecords(get_user=_history_user, excluded_fields=["created_at"])
    objects = ReconciliationStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation statement")
        verbose_name_plural = _("reconciliation statements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reconciliation_no"], name="recon_statement_unique_no"),
            models.CheckConstraint(condition=Q(end_time__gte=F("start_time")), name="recon_statement_end_after_start"),
            # Every reader (the API, the admin, exports) converts the period to a
            # time zone: outside this range that leaves Python's datetime range.
            models.CheckConstraint(
                condition=Q(start_time__gte=DATETIME_MIN, end_time__lte=DATETIME_MAX),
                name="recon_statement_period_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(dispute_reason=""), name="recon_statement_dispute_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.reconciliation_no

    # --- workflow: received -> confirmed | disputed ---------------------------

    def can_confirm(self) -> bool:
        return self.status == self.Status.RECEIVED

    def can_dispute(self) -> bool:
        return self.status == self.Status.RECEIVED

    def confirm(self, *, by: Any) -> None:
        """Mark the statement as agreeing with our books. Does not save."""
        if not self.can_confirm():
            raise StatementTransitionError(
                messages.CANNOT_CONFIRM.format(number=self.reconciliation_no, status=self.get_status_display())
            )
        self.status = self.Status.CONFIRMED
        self.reviewed_by = by
        self.reviewed_at = timezone.now()

    def dispute(self, *, by: Any, reason: str) -> None:
        """Mark the statement as disputed, with the reason given to the supplier. Does not save."""
        if not self.can_dispute():
            raise StatementTransitionError(
                messages.CANNOT_DISPUTE.format(number=self.reconciliation_no, status=self.get_status_display())
            )
        reason = (reason or "").strip()
        if not reason:
            raise ValidationFailed(messages.DISPUTE_REASON_REQUIRED)
        try:
            field_bounds(ReconciliationStatement, "dispute_reason").check_text(reason, field="dispute_reason")
        except BoundsError as exc:
            raise ValidationFailed(exc.message, errors=[exc.as_error()]) from None
        self.status = self.Status.DISPUTED
        self.dispute_reason = reason
        self.reviewed_by = by
        self.reviewed_at = timezone.now()


class StatementLine(models.Model):
    """One line of ``itemList``, stored as sent (amounts exact, up to 4 places)."""

    statement = models.ForeignKey(
        ReconciliationStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("Index in itemList, from 0."))
    item_no = models.CharField(_("item number"), max_length=100)
    item_name = models.CharField(_("product name (seller)"), max_length=200)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    product_no = models.CharField(_("product number"), max_length=100, db_index=True)
    quantity = models.DecimalField(_("quantity"), **MONEY)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **MONEY)
    amount_without_tax = models.DecimalField(_("amount excl. tax"), null=True, blank=True, **MONEY)
    tax_percent = models.DecimalField(_("tax rate"), max_digits=10, decimal_places=6, null=True, blank=True)
    tax_amount = models.DecimalField(_("tax"), null=True, blank=True, **MONEY)
    amount = models.DecimalField(_("amount incl. tax"), null=True, blank=True, **MONEY)
    discount = models.DecimalField(_("discount"), null=True, blank=True, **MONEY)
    buyer_item_name = models.CharField(_("product name (buyer)"), max_length=200)
    buyer_specification = models.CharField(_("specification (buyer)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "item_no"], name="recon_line_unique_item_no"),
            models.UniqueConstraint(fields=["statement", "position"], name="recon_line_unique_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="recon_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"itemNo {self.item_no}"

    @property
    def unit_code(self) -> str:
        return self.unit.code
