"""Writes of suppliers through /v2/suppliers: create, full replace (PUT), and
delete, which is refused while purchases refer to the supplier. Codes are
unique in any letter case (KashFlow matches them so)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.core.exceptions import ConflictError
from apps.purchases.currencies import currency_info
from apps.purchases.models import NominalAccount, PaymentMethod, Supplier, SupplierContact
from apps.purchases.services.inputs import FieldErrors


@dataclass
class SupplierInput:
    """A supplier write. ``fields`` are model field values (what is left out is
    emptied on PUT, as KashFlow's whole-object replace does)."""

    code: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    default_nominal_code: int | None = None
    payment_method_id: int | None = None
    generate_code_if_duplicate: bool = False
    generate_name_if_empty: bool = False


class SupplierInUse(ConflictError):
    pass


def _free_code(code: str, exclude_pk: int | None) -> str:
    taken = {c.lower() for c in Supplier.objects.exclude(pk=exclude_pk or 0).values_list("code", flat=True)}
    base = code[:44] or "SUP"
    for n in range(2, 100_000):
        candidate = f"{base}-{n}"
        if candidate.lower() not in taken:
            return candidate
    raise ConflictError("Code: no free code could be generated")  # pragma: no cover


def _write(supplier: Supplier, data: SupplierInput) -> Supplier:
    errors = FieldErrors()
    code = data.code.strip()
    if not code:
        errors.add("Code", "this field is required")
    clash = Supplier.objects.by_code(code).exclude(pk=supplier.pk).exists() if code else False
    if clash:
        if data.generate_code_if_duplicate:
            code = _free_code(code, supplier.pk)
        else:
            errors.add("Code", f"a supplier with code {code!r} already exists (in any letter case)")
    name = data.name.strip()
    if not name:
        if data.generate_name_if_empty and code:
            name = code
        else:
            errors.add("Name", "this field is required")
    nominal = None
    if data.default_nominal_code:
        nominal = NominalAccount.objects.filter(code=data.default_nominal_code).first()
        if nominal is None:
            errors.add("DefaultNominalCode", f"there is no nominal code {data.default_nominal_code}")
    method = None
    if data.payment_method_id:
        method = PaymentMethod.objects.filter(pk=data.payment_method_id).first()
        if method is None:
            errors.add("PaymentMethod", f"there is no payment method {data.payment_method_id}")
    currency = (data.fields.get("currency_code") or "").strip().upper()
    if currency and currency_info(currency) is None:
        errors.add("Currency.Code", f"{currency!r} is not an ISO 4217 currency code")
    rate = data.fields.get("exchange_rate")
    if rate is not None and rate <= 0:
        errors.add("Currency.ExchangeRate", "must be greater than 0")
    country = (data.fields.get("country_code") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha() or not country.isascii()):
        errors.add("Address.CountryCode", "an ISO 3166 alpha-2 code, such as GB")
    errors.raise_if_any()

    for name_, value in data.fields.items():
        setattr(supplier, name_, value)
    supplier.code, supplier.name = code, name
    supplier.currency_code, supplier.country_code = currency, country
    supplier.default_nominal, supplier.payment_method = nominal, method
    supplier.save()
    supplier.contacts.all().delete()
    SupplierContact.objects.bulk_create(SupplierContact(supplier=supplier, **contact) for contact in data.contacts)
    return supplier


@transaction.atomic
def supplier_create(data: SupplierInput) -> Supplier:
    return _write(Supplier(), data)


@transaction.atomic
def supplier_replace(supplier: Supplier, data: SupplierInput) -> Supplier:
    """PUT: the whole supplier; a new Code renames it (its purchases follow)."""
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    return _write(locked, data)


@transaction.atomic
def supplier_delete(supplier: Supplier) -> None:
    """Delete a supplier; refused while purchases refer to it (they would lose
    their supplier): archive it instead."""
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    count = locked.purchases.count()
    if count:
        raise SupplierInUse(
            f"Supplier {locked.code} has {count} purchase(s) and cannot be deleted; archive it instead (IsArchived)."
        )
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError:
        raise SupplierInUse(f"Supplier {locked.code} is still referred to and cannot be deleted.") from None
