"""Purchases (bills from suppliers) and what they refer to, plus the KashFlow API
users and their tokens.

Amounts are Decimal. What a purchase *computes* (line VAT, totals, the settled
state, the paid date) is written only by ``apps.purchases.services``, which the
API and the admin both call; nothing computed is typed in by hand.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

AMOUNT: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
COMPUTED: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0")


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(
        _("tax id"), max_length=50, blank=True, db_index=True, help_text=_("VAT / tax number, to match statements.")
    )
    email = models.EmailField(_("email"), blank=True)
    currency_code = models.CharField(_("default currency"), max_length=3, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """Purchases keep a copy of the supplier code and name (the list sorts by
        the name on an index and reads rows without joins); a change is copied to
        them in the same transaction."""
        with transaction.atomic():
            old = None
            if self.pk is not None:
                old = Supplier.objects.filter(pk=self.pk).values_list("code", "name").first()
            super().save(*args, **kwargs)
            if old is not None and old != (self.code, self.name):
                Purchase.objects.filter(supplier_id=self.pk).update(supplier_code=self.code, supplier_name=self.name)


class NominalAccount(models.Model):
    code = models.PositiveIntegerField(_("nominal code"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("nominal account")
        verbose_name_plural = _("nominal accounts")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Project(models.Model):
    number = models.PositiveIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """Purchases keep a copy of their project's number and name; a change is
        copied to them in the same transaction."""
        with transaction.atomic():
            old = None
            if self.pk is not None:
                old = Project.objects.filter(pk=self.pk).values_list("number", "name").first()
            super().save(*args, **kwargs)
            if old is not None and old != (self.number, self.name):
                Purchase.objects.filter(project_id=self.pk).update(project_number=self.number, project_name=self.name)


class Product(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    nominal = models.ForeignKey(
        NominalAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("nominal")
    )
    stock_managed = models.BooleanField(_("stock managed"), default=False)
    quantity_in_stock = models.DecimalField(_("quantity in stock"), default=ZERO, **AMOUNT)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BankAccount(models.Model):
    """``AccountId`` of a payment line is this id."""

    name = models.CharField(_("name"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=50, blank=True)
    currency_code = models.CharField(_("currency"), max_length=3, default="GBP")

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PaymentMethod(models.Model):
    """``Method`` of a payment line is this id."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankTransaction(models.Model):
    """A bank statement line not yet matched. Naming it in a payment line's
    ``BankTransactionId`` turns it into that payment and deletes it."""

    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("bank account")
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), help_text=_("Money paid out, positive."), **AMOUNT)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    nominal = models.ForeignKey(
        NominalAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominal"),
        help_text=_("Used for the line created when a purchase without lines is paid with this transaction."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.reference}"


class Purchase(models.Model):
    """A bill from a supplier.

    ``settlement`` stores what does not depend on the date (no amount / paid /
    overpaid / open); ``Overdue`` and ``Unpaid`` are told apart at read time
    from the due date, see ``apps.purchases.services.status_expression``.
    """

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

    # Computed by services.purchase_refresh_totals, never typed in.
    net_amount = models.DecimalField(_("net"), default=ZERO, editable=False, **COMPUTED)
    vat_amount = models.DecimalField(_("VAT"), default=ZERO, editable=False, **COMPUTED)
    gross_amount = models.DecimalField(_("gross"), default=ZERO, editable=False, **COMPUTED)
    home_currency_gross_amount = models.DecimalField(
        _("gross in home currency"), default=ZERO, editable=False, **COMPUTED
    )
    total_paid_amount = models.DecimalField(_("paid"), default=ZERO, editable=False, **AMOUNT)
    paid_date = models.DateField(_("paid on"), null=True, blank=True, editable=False)
    settlement = models.CharField(
        _("settlement"), max_length=10, choices=Settlement.choices, default=Settlement.NA, editable=False
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

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

    @property
    def status(self) -> str:
        from apps.purchases.services import purchase_status

        return purchase_status(self)

    @property
    def overdue_days(self) -> int:
        from apps.purchases.services import purchase_overdue_days

        return purchase_overdue_days(self)


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

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["purchase", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


# --- KashFlow API users -------------------------------------------------------


class KashflowUser(models.Model):
    """API access and the memorable word of a Django user.

    The memorable word is never stored: see ``apps.purchases.sessions`` for how
    single characters of it are checked.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kashflow", verbose_name=_("user")
    )
    api_access = models.BooleanField(_("API access"), default=True)
    memorable_word_length = models.PositiveSmallIntegerField(_("memorable word length"), default=0, editable=False)
    memorable_word_salt = models.CharField(max_length=64, blank=True, editable=False)
    memorable_word_digests = models.JSONField(default=list, blank=True, editable=False)
    failed_attempts = models.PositiveSmallIntegerField(_("failed sign-in attempts"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("KashFlow API user")
        verbose_name_plural = _("KashFlow API users")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def has_memorable_word(self) -> bool:
        return self.memorable_word_length > 0

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class KashflowTokenQuerySet(models.QuerySet["KashflowToken"]):
    def active(self) -> KashflowTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class KashflowToken(models.Model):
    """A temporary token (sign-in step 1), a session token (idle expiry) or a
    long-lived token issued by an admin. Only the SHA-256 digest is stored."""

    class Kind(models.TextChoices):
        TEMPORARY = "temporary", _("temporary (sign-in step 1)")
        SESSION = "session", _("session")
        LONG_LIVED = "long_lived", _("long-lived")

    owner = models.ForeignKey(KashflowUser, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    positions = models.JSONField(_("memorable word positions"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = KashflowTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("KashFlow token")
        verbose_name_plural = _("KashFlow tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.get_kind_display()}, {self.owner})"
