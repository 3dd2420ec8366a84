"""Models of purchases: reference data (``reference``), purchases with their
lines and payments (``purchase``) and the KashFlow API users
(``kashflow_users``). No module here imports a service."""

from apps.purchases.models.kashflow_users import KashflowToken, KashflowTokenQuerySet, KashflowUser
from apps.purchases.models.purchase import (
    PaymentLine,
    Purchase,
    PurchaseLine,
    PurchaseListVersion,
    PurchaseQuerySet,
    PurchaseStatus,
    overdue_days_of,
    status_expression,
    status_of,
)
from apps.purchases.models.reference import (
    BankAccount,
    BankTransaction,
    NominalAccount,
    PaymentMethod,
    Product,
    Project,
)
from apps.purchases.models.suppliers import Supplier, SupplierContact, SupplierQuerySet

__all__ = [
    "BankAccount",
    "BankTransaction",
    "KashflowToken",
    "KashflowTokenQuerySet",
    "KashflowUser",
    "NominalAccount",
    "PaymentLine",
    "PaymentMethod",
    "Product",
    "Project",
    "Purchase",
    "PurchaseLine",
    "PurchaseListVersion",
    "PurchaseQuerySet",
    "PurchaseStatus",
    "Supplier",
    "SupplierContact",
    "SupplierQuerySet",
    "overdue_days_of",
    "status_expression",
    "status_of",
]
