"""Suppliers and their contacts, with what KashFlow keeps of a supplier."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SupplierQuerySet(models.QuerySet["Supplier"]):
    def by_code(self, code: str) -> SupplierQuerySet:
        """The supplier of a code, matched case-insensitively as KashFlow does
        (on the functional unique index)."""
        return self.alias(code_lower=Lower("code")).filter(code_lower=(code or "").strip().lower())


class Supplier(models.Model):
    """A supplier, with what KashFlow keeps of one (``kashflow-reference-data.md`` §1).

    ``vat_number`` is the supplier's VAT / tax number: reconciliation statements
    name their supplier by it. The payment terms, the default nominal and the
    payment method pre-fill what a new purchase leaves out (additions digest §8)."""

    class TradeBorderType(models.TextChoices):
        DOMESTIC = "Domestic", _("domestic")
        EU = "EU", _("EU")
        REST_OF_WORLD = "Rest of World", _("rest of world")

    class PaymentTermsType(models.TextChoices):
        AFTER_ISSUED_DATE = "AfterIssuedDate", _("days after the issued date")
        AFTER_END_OF_MONTH = "AfterEndOfMonth", _("days after the end of the issue month")

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    vat_number = models.CharField(
        _("VAT number"),
        max_length=50,
        blank=True,
        db_index=True,
        help_text=_("The supplier's VAT / tax number; reconciliation statements are matched to the supplier by it."),
    )
    email = models.EmailField(_("email"), blank=True)
    currency_code = models.CharField(_("default currency"), max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        _("default exchange rate"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("Units of the supplier's currency per unit of the home currency."),
    )
    payment_terms_type = models.CharField(
        _("payment terms"), max_length=20, choices=PaymentTermsType.choices, default=PaymentTermsType.AFTER_ISSUED_DATE
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms days"),
        default=0,
        validators=[MaxValueValidator(3650)],
        help_text=_("A purchase sent without a due date is due this many days after its issued date (or month end)."),
    )
    default_nominal = models.ForeignKey(
        "NominalAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default nominal"),
        help_text=_("Used for purchase lines sent without a nominal code (and without a product that has one)."),
    )
    payment_method = models.ForeignKey(
        "PaymentMethod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment method"),
        help_text=_("Used for payments sent without a method."),
    )
    trade_border_type = models.CharField(
        _("trade border"), max_length=20, choices=TradeBorderType.choices, default=TradeBorderType.DOMESTIC
    )
    is_cis_reverse_charge = models.BooleanField(
        _("CIS reverse charge"),
        default=False,
        help_text=_("Purchases from this supplier default to the construction industry VAT reverse charge."),
    )
    vat_exempt = models.BooleanField(_("VAT exempt"), default=False)
    default_vat_rate = models.DecimalField(
        _("default VAT %"), max_digits=9, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    apply_withholding_tax = models.BooleanField(_("apply withholding tax"), default=False)
    withholding_tax_rate = models.DecimalField(
        _("withholding tax %"), max_digits=9, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    withholding_tax_references = models.JSONField(
        _("withholding tax references"), default=list, blank=True, help_text=_('A list of {"Name", "Value"}.')
    )
    unique_entity_number = models.CharField(_("unique entity number"), max_length=50, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=100, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=100, blank=True)
    address_line3 = models.CharField(_("address line 3"), max_length=100, blank=True)
    address_line4 = models.CharField(_("address line 4"), max_length=100, blank=True)
    post_code = models.CharField(_("post code"), max_length=20, blank=True)
    country_code = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 alpha-2 code."))
    bank_account_name = models.CharField(_("bank account name"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=34, blank=True)
    bank_sort_code = models.CharField(_("bank sort code"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=2000, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]
        constraints = [
            # KashFlow matches supplier codes case-insensitively, so two codes
            # differing only in case would be the same supplier to a client.
            models.UniqueConstraint(
                Lower("code"),
                name="purch_supplier_code_ci_unique",
                violation_error_message=_("A supplier with this code (in any letter case) already exists."),
            ),
        ]

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
                self.purchases.update(supplier_code=self.code, supplier_name=self.name)


class SupplierContact(models.Model):
    """A person at a supplier (KashFlow's ``Contacts[]``)."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("supplier")
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    receive_emails = models.BooleanField(_("receives emails"), default=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    telephone = models.CharField(_("telephone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=50, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("supplier contact")
        verbose_name_plural = _("supplier contacts")
        ordering = ["supplier", "-is_primary", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.first_name} {self.last_name}".strip() or str(self.pk)
