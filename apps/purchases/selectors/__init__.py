"""Reads of purchases and their reference data (HackSoft's selectors).

* ``purchase_filters``: what a list selects and its order (13 sort orders,
  ``filterby``, search text, type, issued dates, source);
* ``purchase_list``: one page of it (cached orders, MetaData totals) and one
  purchase with everything its detail shows;
* ``reference``: suppliers, nominals, projects and bank accounts as /v2 lists them;
* ``reconciliation``: what statement matching reads of purchases.
"""

from apps.purchases.selectors.purchase_filters import (
    FILTER_NAMES,
    FILTERS,
    ORDERS,
    SORT_FIELDS,
    SOURCES,
    TYPES,
    ListQuery,
    purchase_list_queryset,
)
from apps.purchases.selectors.purchase_list import (
    clear_list_cache,
    list_version,
    neighbours,
    purchase_detail,
    purchase_page,
)
from apps.purchases.selectors.reconciliation import (
    SUPPLIER_TAX_ID_FIELD,
    PurchaseLineRow,
    SupplierRef,
    books_currency,
    product_codes,
    purchase_lines_issued_between,
    supplier_tax_id,
    supplier_tax_ids,
    suppliers_with_tax_id,
)

__all__ = [
    "FILTERS",
    "FILTER_NAMES",
    "ORDERS",
    "SORT_FIELDS",
    "SOURCES",
    "SUPPLIER_TAX_ID_FIELD",
    "TYPES",
    "ListQuery",
    "PurchaseLineRow",
    "SupplierRef",
    "books_currency",
    "clear_list_cache",
    "list_version",
    "neighbours",
    "product_codes",
    "purchase_detail",
    "purchase_lines_issued_between",
    "purchase_list_queryset",
    "purchase_page",
    "supplier_tax_id",
    "supplier_tax_ids",
    "suppliers_with_tax_id",
]
