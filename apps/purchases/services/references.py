"""Resolving the references of a purchase write (supplier, projects, nominals,
products, payment methods, bank accounts and bank transactions) in one query
per kind, and its currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from apps.purchases.currencies import currency_info, home_currency
from apps.purchases.models import (
    BankAccount,
    BankTransaction,
    NominalAccount,
    PaymentMethod,
    Product,
    Project,
    Supplier,
)
from apps.purchases.services.inputs import FieldErrors, PurchaseInput


@dataclass
class References:
    supplier: Supplier | None
    project: Project | None
    nominals: dict[int, NominalAccount]
    products: dict[str, Product]
    projects: dict[int, Project]
    methods: dict[int, PaymentMethod]
    accounts: dict[int, BankAccount]
    transactions: dict[int, BankTransaction]
    default_method: PaymentMethod | None = None


def resolve_references(data: PurchaseInput, errors: FieldErrors) -> References:
    """Look every reference up in one query per kind, and lock the bank transactions."""
    supplier = Supplier.objects.select_related("default_nominal", "payment_method").by_code(data.supplier_code).first()
    if supplier is None:
        errors.add("SupplierCode", f"there is no supplier with code {data.supplier_code!r}")
    project_numbers: set[int] = {ln.project_number for ln in data.lines if ln.project_number}
    if data.project_number:
        project_numbers.add(data.project_number)
    projects = {p.number: p for p in Project.objects.filter(number__in=project_numbers)}
    project = None
    if data.project_number:
        project = projects.get(data.project_number)
        if project is None:
            errors.add("ProjectNumber", f"there is no project {data.project_number}")
    nominals = {
        n.code: n
        for n in NominalAccount.objects.filter(code__in={ln.nominal_code for ln in data.lines if ln.nominal_code})
    }
    products = {
        p.code: p
        for p in Product.objects.select_related("nominal").filter(
            code__in={ln.product_code for ln in data.lines if ln.product_code}
        )
    }
    methods = PaymentMethod.objects.in_bulk({p.method_id for p in data.payments if p.method_id})
    default_method = None
    if any(not p.method_id for p in data.payments):
        default_method = (supplier.payment_method if supplier else None) or PaymentMethod.objects.filter(
            name__iexact=settings.KASHFLOW_DEFAULT_PAYMENT_METHOD
        ).first()
    accounts = BankAccount.objects.in_bulk({p.account_id for p in data.payments if p.account_id})
    tx_ids = sorted({p.bank_transaction_id for p in data.payments if p.bank_transaction_id})
    transactions: dict[int, BankTransaction] = {}
    if tx_ids:
        transactions = {
            t.pk: t
            for t in BankTransaction.objects.select_for_update().select_related("bank_account").filter(pk__in=tx_ids)
        }
    return References(supplier, project, nominals, products, projects, methods, accounts, transactions, default_method)


CURRENCY_CODE_FIELD = "Currency.Code"
EXCHANGE_RATE_FIELD = "Currency.ExchangeRate"


def resolve_currency(data: PurchaseInput, errors: FieldErrors) -> tuple[str, Decimal]:
    return purchase_currency_validate(currency_code=data.currency_code, exchange_rate=data.exchange_rate, errors=errors)


def purchase_currency_validate(
    *, currency_code: str | None, exchange_rate: Decimal | None, errors: FieldErrors
) -> tuple[str, Decimal]:
    """The currency of a purchase and its rate to the home currency, as /v2 and the
    admin both take them: an ISO 4217 code (empty: the home currency) and a rate
    greater than 0 (empty: 1). Problems are added to ``errors`` under the /v2 field names."""
    code = (currency_code or "").strip().upper() or home_currency()
    if currency_info(code) is None:
        errors.add(CURRENCY_CODE_FIELD, f"{code!r} is not an ISO 4217 currency code")
    rate = exchange_rate if exchange_rate is not None else Decimal(1)
    if rate <= 0:
        errors.add(EXCHANGE_RATE_FIELD, "must be greater than 0")
    elif code == home_currency() and rate != 1:
        # The home currency's rate against itself is 1; any other value would
        # make HomeCurrencyGrossAmount differ from GrossAmount.
        errors.add(EXCHANGE_RATE_FIELD, f"{code} is the home currency: its exchange rate is 1, not {rate}")
    return code, rate
