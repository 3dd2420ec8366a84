"""Every write of the reconciliation area: statements arrive and are confirmed
or disputed (``statements``); they are matched against purchases
(``matching``), kept current when purchases change (``rematch``), and the
product mapping is kept and learned (``mappings``)."""

from apps.reconciliation.services.mappings import (
    product_mapping_delete,
    product_mapping_learn,
    product_mapping_save,
    unit_save,
)
from apps.reconciliation.services.matching import Trigger, statement_match
from apps.reconciliation.services.rematch import purchases_changed, queue_match, supplier_changed
from apps.reconciliation.services.statements import (
    DuplicateStatementNumber,
    statement_confirm,
    statement_create,
    statement_dispute,
)

__all__ = [
    "DuplicateStatementNumber",
    "Trigger",
    "product_mapping_delete",
    "product_mapping_learn",
    "product_mapping_save",
    "purchases_changed",
    "queue_match",
    "statement_confirm",
    "statement_create",
    "statement_dispute",
    "statement_match",
    "supplier_changed",
    "unit_save",
]
