"""Reads of statements that are more than a plain filter."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.reconciliation.models import ReconciliationStatement, ReconciliationStatementQuerySet, StatementLine


def statement_list() -> ReconciliationStatementQuerySet:
    """Statements with everything the read API and the exports show, in a fixed
    number of queries: the statement page and one query for all their lines."""
    lines = StatementLine.objects.select_related("unit").order_by("position")
    return ReconciliationStatement.objects.select_related("client", "reviewed_by").prefetch_related(
        Prefetch("lines", queryset=lines)
    )
