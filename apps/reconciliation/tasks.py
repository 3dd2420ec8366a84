"""Celery tasks of the reconciliation area: they take ids and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model

from apps.reconciliation.models import ReconciliationStatement
from apps.reconciliation.services import purchases_changed, statement_match, supplier_changed


@shared_task(name="apps.reconciliation.tasks.match_statement")
def match_statement(statement_id: int, trigger: str, user_id: int | None = None) -> str:
    """Match one statement against purchases and store the result (see
    ``apps.reconciliation.services.matching``). A statement deleted meanwhile is skipped."""
    if not ReconciliationStatement.objects.filter(pk=statement_id).exists():
        return "gone"
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return statement_match(statement=statement_id, trigger=trigger, by=user).status


@shared_task(name="apps.reconciliation.tasks.purchases_changed")
def purchases_changed_task(changes: list[list], changed_at: str) -> int:
    """Purchases were written: ``changes`` holds [purchase id, supplier id, issued
    date] per purchase of one committed transaction."""
    queued = purchases_changed(
        changes=[(c[0], c[1], c[2]) for c in changes], changed_at=dt.datetime.fromisoformat(changed_at)
    )
    return len(queued)


@shared_task(name="apps.reconciliation.tasks.supplier_changed")
def supplier_changed_task(supplier_id: int, tax_id: str, changed_at: str) -> int:
    queued = supplier_changed(supplier_id=supplier_id, tax_id=tax_id, changed_at=dt.datetime.fromisoformat(changed_at))
    return len(queued)
