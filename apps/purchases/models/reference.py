"""Reference data of purchases: nominal ledger accounts, projects, products,
bank accounts, payment methods and unmatched bank transactions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

AMOUNT: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
ZERO = Decimal("0")


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
    class Status(models.TextChoices):
        ACTIVE = "Active", _("active")
        COMPLETED = "Completed", _("completed")
        ARCHIVED = "Archived", _("archived")

    number = models.PositiveIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_default="")
    description = models.CharField(_("description"), max_length=1000, blank=True, db_default="")
    note = models.CharField(_("note"), max_length=2000, blank=True, db_default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_default="Active"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    target_sales_amount = models.DecimalField(_("target sales"), null=True, blank=True, **AMOUNT)
    target_purchases_amount = models.DecimalField(_("target purchases"), null=True, blank=True, **AMOUNT)
    exclude_vat = models.BooleanField(_("targets exclude VAT"), default=False, db_default=False)

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
                self.purchases.update(project_number=self.number, project_name=self.name)


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
