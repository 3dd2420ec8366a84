"""The reconciliation area's data: statements as suppliers sent them
(``statements``) and the results of matching them against purchases
(``matching``)."""

from apps.reconciliation.models.matching import (
    BuyerCheck,
    LineStatus,
    MatchLine,
    MatchStatus,
    ProductMapping,
    StatementMatch,
)
from apps.reconciliation.models.statements import (
    MONEY,
    ReconciliationStatement,
    ReconciliationStatementQuerySet,
    StatementLine,
    StatementTransitionError,
    Unit,
)

__all__ = [
    "MONEY",
    "BuyerCheck",
    "LineStatus",
    "MatchLine",
    "MatchStatus",
    "ProductMapping",
    "ReconciliationStatement",
    "ReconciliationStatementQuerySet",
    "StatementLine",
    "StatementMatch",
    "StatementTransitionError",
    "Unit",
]
