"""Purchases (bills from suppliers), their lines and payments, and the list
version that the list cache keys on.

Amounts are Decimal. What a purchase *computes* (line VAT, totals, the settled
state, the paid date) is written only by ``apps.purchases.services`` (with the
rules of ``apps.purchases.pricing``), which the API and the admin both call;
nothing computed is typed in by hand.

Status (KashFlow's rule): ``NA`` when gross and paid are both zero,
``Overpaid`` when paid > gross, ``Paid`` when paid = gross, else ``Overdue``
after the due date and ``Unpaid`` until then. ``settlement`` stores the part
that does not depend on the date; the queryset methods below and
``Purchase.status_on`` tell ``Overdue`` from ``Unpaid`` with the day's date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Case, CharField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.purchases.models.reference import (
    BankAccount,
    NominalAccount,
    PaymentMethod,
    Product,
    Project,
)
from apps.purchases.models.suppliers import Supplier

AMOUNT: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
COMPUTED: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0")


class PurchaseStatus(models.TextChoices):
    """KashFlow's ``Status`` of a purchase (the wire value is the label too)."""

    UNPAID = "Unpaid", "Unpaid"
    OVERDUE = "Overdue", "Overdue"
    PAID = "Paid", "Paid"
    OVERPAID = "Overpaid", "Overpaid"
    NA = "NA", "NA"


class PurchaseQuerySet(models.QuerySet["Purchase"]):
    """The status rules as named filters (``today`` is the company's date)."""

    def unpaid(self, today: dt.date) -> PurchaseQuerySet:
        return self.filter(settlement=Purchase.Settlement.OPEN, due_date__gte=today)

    def overdue(self, today: dt.date) -> PurchaseQuerySet:
        return self.filter(settlement=Purchase.Settlement.OPEN, due_date__lt=today)

    def paid(self) -> PurchaseQuerySet:
        return self.filter(settlement=Purchase.Settlement.PAID)

    def overpaid(self) -> PurchaseQuerySet:
        return self.filter(settlement=Purchase.Settlement.OVERPAID)

    def not_fully_paid(self) -> PurchaseQuerySet:
        """Money still due (Unpaid or Overdue), whatever was paid already."""
        return self.filter(settlement=Purchase.Settlement.OPEN)

    def part_paid(self) -> PurchaseQuerySet:
        """Something was paid (combine with ``not_fully_paid`` for part-paid)."""
        return self.filter(total_paid_amount__gt=0)

    def not_applicable(self) -> PurchaseQuerySet:
        return self.filter(settlement=Purchase.Settlement.NA)

    def with_status(self, status: str, today: dt.date) -> PurchaseQuerySet:
        """Purchases whose Status is ``status`` (a ``PurchaseStatus`` value);
        an unknown value filters nothing out."""
        if status == PurchaseStatus.UNPAID:
            return self.unpaid(today)
        if status == PurchaseStatus.OVERDUE:
            return self.overdue(today)
        if status == PurchaseStatus.PAID:
            return self.paid()
        if status == PurchaseStatus.OVERPAID:
            return self.overpaid()
        if status == PurchaseStatus.NA:
            return self.not_applicable()
        return self

    def annotate_status(self, today: dt.date, name: str = "status_sort") -> PurchaseQuerySet:
        """Annotate the Status as a database expression (to sort by it)."""
        return self.annotate(**{name: status_expression(today)})


def status_expression(today: dt.date) -> Case:
    """The Status of a purchase as a database expression."""
    return Case(
        When(settlement=Purchase.Settlement.NA, then=Value(PurchaseStatus.NA.value)),
        When(settlement=Purchase.Settlement.PAID, then=Value(PurchaseStatus.PAID.value)),
        When(settlement=Purchase.Settlement.OVERPAID, then=Value(PurchaseStatus.OVERPAID.value)),
        When(due_date__lt=today, then=Value(PurchaseStatus.OVERDUE.value)),
        default=Value(PurchaseStatus.UNPAID.value),
        output_field=CharField(),
    )


def status_of(settlement: str, due_date: dt.date, today: dt.date) -> str:
    """The Status from the stored settlement and the due date (works on list
    rows that are not model instances too)."""
    if settlement == Purchase.Settlement.NA:
        return PurchaseStatus.NA.value
    if settlement == Purchase.Settlement.PAID:
        return PurchaseStatus.PAID.value
    if settlement == Purchase.Settlement.OVERPAID:
        return PurchaseStatus.OVERPAID.value
    return PurchaseStatus.OVERDUE.value if due_date < today else PurchaseStatus.UNPAID.value


def overdue_days_of(settlement: str, due_date: dt.date, today: dt.date) -> int:
    """Days past the due date of an overdue purchase, else 0."""
    if status_of(settlement, due_date, today) != PurchaseStatus.OVERDUE:
        return 0
    return (today - due_date).days


class Purchase(models.Model):
    """A bill from a supplier.

    ``settlement`` stores what does not depend on the date (no amount / paid /
    overpaid / open); ``Overdue`` and ``Unpaid`` are told apart at read time
    from the due date (``status_on``, ``PurchaseQuerySet``).
    """

    class Type(models.TextChoices):
        """KashFlow's ``Type`` of a purchase (the wire value)."""

        PURCHASE = "Purchase", _("purchase")
        EXPENSE = "Expense", _("expense")

    class Settlement(models.TextChoices):
        NA = "na", _("nothing to pay")
        OPEN = "open", _("money due")
        PAID = "paid", _("paid")
        OVERPAID = "overpaid", _("overpaid")

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    uuid = models.UUIDField(_("permalink id"), default=uuid.uuid4, unique=True, editable=False)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("supplier")
    )
    # Copies kept by Supplier.save / Project.save, so a list page reads one table.
    supplier_code = models.CharField(_("supplier code"), max_length=50, editable=False, default="")
    supplier_name = models.CharField(_("supplier name"), max_length=200, editable=False)
    supplier_reference = models.CharField(_("supplier reference"), max_length=100, blank=True)
    issued_date = models.DateField(_("issued"))
    due_date = models.DateField(_("due"))
    currency_code = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=6, default=Decimal(1))
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="purchases", verbose_name=_("project")
    )
    project_number = models.PositiveIntegerField(_("project number"), null=True, blank=True, editable=False)
    project_name = models.CharField(_("project name"), max_length=200, blank=True, editable=False)
    additional_field_value = models.CharField(_("additional field"), max_length=255, blank=True)
    purchase_in_ec_member_state = models.BooleanField(_("supplier in an EC member state"), default=False)
    is_wht_deduction_to_be_applied = models.BooleanField(_("withholding tax deduction"), default=False)
    file_count = models.PositiveIntegerField(_("files"), default=0, editable=False)
    purchase_type = models.CharField(
        _("type"), max_length=10, choices=Type.choices, default=Type.PURCHASE, db_default="Purchase"
    )
    is_cis_reverse_charge = models.BooleanField(
        _("CIS reverse charge"),
        default=False,
        db_default=False,
        help_text=_(
            "Construction industry VAT reverse charge: the supplier charges no VAT, the buyer accounts for it."
        ),
    )
    # Copy of the supplier's trade border when the purchase was last written.
    trade_border_type = models.CharField(
        _("trade border"), max_length=20, default="Domestic", db_default="Domestic", editable=False
    )

    # Computed by the services (pricing rules), never typed in.
    net_amount = models.DecimalField(_("net"), default=ZERO, editable=False, **COMPUTED)
    vat_amount = models.DecimalField(_("VAT"), default=ZERO, editable=False, **COMPUTED)
    gross_amount = models.DecimalField(_("gross"), default=ZERO, editable=False, **COMPUTED)
    home_currency_gross_amount = models.DecimalField(
        _("gross in home currency"), default=ZERO, editable=False, **COMPUTED
    )
    cis_rc_net_amount = models.DecimalField(
        _("CIS reverse charge net"), default=ZERO, db_default=ZERO, editable=False, **COMPUTED
    )
    cis_rc_vat_amount = models.DecimalField(
        _("CIS reverse charge VAT"), default=ZERO, db_default=ZERO, editable=False, **COMPUTED
    )
    total_paid_amount = models.DecimalField(_("paid"), default=ZERO, editable=False, **AMOUNT)
    paid_date = models.DateField(_("paid on"), null=True, blank=True, editable=False)
    settlement = models.CharField(
        _("settlement"), max_length=10, choices=Settlement.choices, default=Settlement.NA, editable=False
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["number"]
        indexes = [
            # Every list sort is (column, number): an index each, so a page is an index walk.
            models.Index(fields=["supplier_name", "number"], name="purch_supname_idx"),
            models.Index(fields=["supplier_reference", "number"], name="purch_supref_idx"),
            models.Index(fields=["issued_date", "number"], name="purch_issued_idx"),
            models.Index(fields=["due_date", "number"], name="purch_due_idx"),
            models.Index(fields=["gross_amount", "number"], name="purch_gross_idx"),
            models.Index(fields=["net_amount", "number"], name="purch_net_idx"),
            models.Index(fields=["paid_date", "number"], name="purch_paid_idx"),
            models.Index(fields=["settlement", "due_date"], name="purch_settle_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.supplier_name}"

    @property
    def due_amount(self) -> Decimal:
        return self.gross_amount - self.total_paid_amount

    def status_on(self, today: dt.date | None = None) -> str:
        return status_of(self.settlement, self.due_date, today or timezone.localdate())

    def overdue_days_on(self, today: dt.date | None = None) -> int:
        return overdue_days_of(self.settlement, self.due_date, today or timezone.localdate())

    @property
    def status(self) -> str:
        return self.status_on()

    @property
    def overdue_days(self) -> int:
        return self.overdue_days_on()


class PurchaseListVersion(models.Model):
    """One row whose ``value`` a database trigger changes on every statement that
    writes purchases (to a value never used before: the writing transaction's id
    on PostgreSQL, a random number on SQLite). The list caches its sort orders
    per value, so a cached order is never served after a committed write."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("purchase list version")

    def __str__(self) -> str:
        return str(self.value)


class PurchaseLine(models.Model):
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase"))
    number = models.PositiveIntegerField(_("line number"), help_text=_("Identifies the line and sets its order."))
    description = models.CharField(_("description"), max_length=1000)
    quantity = models.DecimalField(_("quantity"), **AMOUNT)
    rate = models.DecimalField(_("rate"), help_text=_("Unit price in the purchase currency."), **AMOUNT)
    vat_level = models.DecimalField(_("VAT %"), max_digits=9, decimal_places=4, default=ZERO)
    vat_exempt = models.BooleanField(_("VAT exempt"), default=False)
    vat_amount = models.DecimalField(_("VAT"), default=ZERO, editable=False, **COMPUTED)
    nominal = models.ForeignKey(NominalAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominal"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    import_duty = models.DecimalField(_("import duty"), default=ZERO, db_default=ZERO, **AMOUNT)
    disallowed = models.BooleanField(_("VAT disallowed"), default=False, db_default=False)
    stock_received = models.BooleanField(_("stock received"), default=False)
    stock_received_on = models.DateTimeField(_("stock received on"), null=True, blank=True)

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["purchase", "number"]
        constraints = [models.UniqueConstraint(fields=["purchase", "number"], name="purch_line_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}: {self.description}"


class PaymentLine(models.Model):
    purchase = models.ForeignKey(
        Purchase, on_delete=models.CASCADE, related_name="payments", verbose_name=_("purchase")
    )
    uuid = models.UUIDField(_("permalink id"), default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="+", verbose_name=_("method"))
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank account")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    bank_transaction_id = models.PositiveBigIntegerField(
        _("bank transaction"), null=True, blank=True, help_text=_("The bank transaction this payment replaced.")
    )
    bulk_id = models.PositiveBigIntegerField(_("bulk id"), null=True, blank=True)
    bulk_payment_number = models.PositiveBigIntegerField(_("bulk payment number"), null=True, blank=True)
    bfs_transaction_id = models.PositiveBigIntegerField(_("bank feed transaction"), null=True, blank=True)
    payment_processor = models.PositiveSmallIntegerField(_("payment processor"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["purchase", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"
