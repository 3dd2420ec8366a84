"""Statements arrive, are confirmed or disputed."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

from apps.core.exceptions import ConflictError
from apps.core.models import ApiClient
from apps.reconciliation import messages
from apps.reconciliation.models import ReconciliationStatement, StatementLine
from apps.reconciliation.services.matching import Trigger
from apps.reconciliation.services.rematch import queue_match
from apps.reconciliation.validation import StatementInput


class DuplicateStatementNumber(ConflictError):
    """The reconciliationNo is already taken (the database's unique constraint decides)."""

    default_message = messages.DUPLICATE_NUMBER
    service_code = "DUPLICATE_RECONCILIATION_NO"


@transaction.atomic
def statement_create(*, statement: StatementInput, client: ApiClient | None = None) -> ReconciliationStatement:
    """Store a validated statement with its lines, in one transaction.

    Raises DuplicateStatementNumber when the number exists. Concurrent requests
    with the same number are decided by the unique constraint: on PostgreSQL the
    second INSERT waits for the first transaction and then fails, so exactly one
    statement is created and every other request gets the duplicate answer.
    """
    record = ReconciliationStatement(
        reconciliation_no=statement.reconciliation_no,
        currency=statement.currency,
        start_time=statement.start_time,
        end_time=statement.end_time,
        buyer_name=statement.buyer_name,
        buyer_tax_id=statement.buyer_tax_id,
        supplier_name=statement.supplier_name,
        supplier_tax_id=statement.supplier_tax_id,
        client=client,
    )
    record._history_user = None  # type: ignore[attr-defined] # sent by a system, not a person
    record._change_reason = "received from " + (client.name if client else "import")  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        if ReconciliationStatement.objects.filter(reconciliation_no=statement.reconciliation_no).exists():
            raise DuplicateStatementNumber() from None
        raise
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=record,
            position=line.position,
            item_no=line.item_no,
            item_name=line.item_name,
            specification=line.specification,
            product_no=line.product_no,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount_without_tax=line.amount_without_tax,
            tax_percent=line.tax_percent,
            tax_amount=line.tax_amount,
            amount=line.amount,
            discount=line.discount,
            buyer_item_name=line.buyer_item_name,
            buyer_specification=line.buyer_specification,
        )
        for line in statement.lines
    )
    transaction.on_commit(partial(queue_match, record.pk, Trigger.RECEIVED), robust=True)
    return record


def _locked(statement: ReconciliationStatement) -> ReconciliationStatement:
    """The statement re-read under a row lock, so two reviewers cannot both decide it."""
    return ReconciliationStatement.objects.select_for_update().get(pk=statement.pk)


@transaction.atomic
def statement_confirm(*, statement: ReconciliationStatement, by: Any) -> ReconciliationStatement:
    """Confirm a received statement. Raises StatementTransitionError otherwise."""
    current = _locked(statement)
    current.confirm(by=by)
    current._history_user = by  # type: ignore[attr-defined]
    current._change_reason = "confirmed"  # type: ignore[attr-defined]
    current.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return current


@transaction.atomic
def statement_dispute(*, statement: ReconciliationStatement, by: Any, reason: str) -> ReconciliationStatement:
    """Dispute a received statement with the reason. Raises StatementTransitionError
    when it is not received, ValidationFailed when the reason is empty."""
    current = _locked(statement)
    current.dispute(by=by, reason=reason)
    current._history_user = by  # type: ignore[attr-defined]
    current._change_reason = "disputed"  # type: ignore[attr-defined]
    current.save(update_fields=["status", "dispute_reason", "reviewed_by", "reviewed_at"])
    return current
