"""Demo data of purchases: what the KashFlow worked example refers to (supplier
08C, nominal codes 5000 and 7403, projects 1 and 2, the stock-managed product
Test121, a bank account, payment methods) and a few purchases to look at in the
admin. No API user is created: make one with ``manage.py create_kashflow_user``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.purchases.demo_statements import load_statement_purchases
from apps.purchases.models import (
    BankAccount,
    BankTransaction,
    NominalAccount,
    PaymentMethod,
    Product,
    Project,
    Purchase,
    Supplier,
)
from apps.purchases.services import LineInput, PaymentInput, PurchaseInput, purchase_create

NOMINALS = [
    (5000, "Materials Purchased"),
    (7403, "Entertainment"),
    (7500, "Office Costs"),
    (8205, "Telephone"),
]


def load_demo_data() -> str:
    created: list[str] = []

    _supplier, new = Supplier.objects.get_or_create(
        code="08C", defaults={"name": "Honda Supplier", "vat_number": "GB123456789", "currency_code": "AUD"}
    )
    if new:
        created.append("supplier 08C")
    Supplier.objects.get_or_create(code="FOOD01", defaults={"name": "Food Essentials", "vat_number": "GB987654321"})
    nominals = {}
    for code, name in NOMINALS:
        nominals[code], _ = NominalAccount.objects.get_or_create(code=code, defaults={"name": name})
    for number, name in [(1, "TEst"), (2, "Test5")]:
        Project.objects.get_or_create(number=number, defaults={"name": name})
    Product.objects.get_or_create(
        code="Test121",
        defaults={
            "name": "Material",
            "nominal": nominals[5000],
            "stock_managed": True,
            "quantity_in_stock": Decimal(22),
        },
    )
    account = BankAccount.objects.filter(name="Current Account").first()
    if account is None:
        account = BankAccount.objects.create(name="Current Account", account_number="12345678", currency_code="GBP")
        created.append(f"bank account {account.pk}")
    methods = {}
    for name in ["Card", "BACS", "Cheque"]:
        methods[name], _ = PaymentMethod.objects.get_or_create(name=name)

    if not Purchase.objects.exists():
        purchase_create(
            PurchaseInput(
                supplier_code="08C",
                issued_date=dt.date(2014, 1, 10),
                due_date=dt.date(2014, 1, 10),
                supplier_reference="wieu231",
                currency_code="AUD",
                exchange_rate=Decimal(2),
                additional_field_value="123",
                lines=[
                    LineInput(
                        description="product description",
                        quantity=Decimal(3),
                        rate=Decimal(15),
                        vat_level=Decimal("13.5"),
                        nominal_code=5000,
                        product_code="Test121",
                        project_number=2,
                    ),
                    LineInput(
                        description="line item 2",
                        quantity=Decimal(10),
                        rate=Decimal(12),
                        vat_level=Decimal(20),
                        nominal_code=7403,
                        project_number=1,
                    ),
                ],
            )
        )
        purchase_create(
            PurchaseInput(
                supplier_code="FOOD01",
                issued_date=dt.date(2024, 11, 27),
                due_date=dt.date(2024, 12, 27),
                supplier_reference="FOOD001",
                lines=[
                    LineInput(description="Coffee beans", quantity=Decimal(4), rate=Decimal("12.50"), nominal_code=7500)
                ],
                payments=[
                    PaymentInput(
                        method_id=methods["BACS"].pk,
                        date=dt.date(2024, 12, 20),
                        amount=Decimal("50.00"),
                        account_id=account.pk,
                        note="Paid in full",
                    )
                ],
            )
        )
        created.append("2 purchases")
    if not BankTransaction.objects.exists():
        BankTransaction.objects.create(
            bank_account=account,
            date=dt.date(2024, 12, 1),
            amount=Decimal("42.00"),
            reference="BT phone bill",
            nominal=nominals[8205],
        )
        created.append("1 bank transaction")
    created += load_statement_purchases()
    return ", ".join(created) + " created" if created else "demo purchases data already there"
