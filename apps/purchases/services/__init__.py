"""Every write of purchases and their reference data (HackSoft's services).
The pricing rules they apply are in ``apps.purchases.pricing``; reads are in
``apps.purchases.selectors``.

* ``purchases``: create, replace (PUT), delete, refresh totals after the admin;
* ``parts``: building lines and payments; ``references``: resolving codes;
* ``stock``: stock receipts; ``inputs``: what the services take.
"""

from apps.purchases.services.inputs import FieldErrors, LineInput, PaymentInput, PurchaseInput
from apps.purchases.services.purchases import (
    next_free_number,
    purchase_create,
    purchase_delete,
    purchase_refresh_totals,
    purchase_replace,
)
from apps.purchases.services.references import (
    CURRENCY_CODE_FIELD,
    EXCHANGE_RATE_FIELD,
    purchase_currency_validate,
)
from apps.purchases.services.stock import stock_tracking

__all__ = [
    "CURRENCY_CODE_FIELD",
    "EXCHANGE_RATE_FIELD",
    "FieldErrors",
    "LineInput",
    "PaymentInput",
    "PurchaseInput",
    "next_free_number",
    "purchase_create",
    "purchase_currency_validate",
    "purchase_delete",
    "purchase_refresh_totals",
    "purchase_replace",
    "stock_tracking",
]
