"""Keeping stored matches current: when purchases of a statement's supplier and
period change, its result is marked stale and re-run once after a short delay
(``RECONCILIATION_REMATCH_DELAY_SECONDS``), however many changes came in that
time; when a supplier is created or its tax id changes, the statements it
concerns are matched again.

Purchase writes pay nothing for this but a note of the purchase (id, supplier,
date) kept until their transaction commits; one task per committed transaction
does the rest in the worker (``apps.reconciliation.triggers``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.purchases import selectors as purchases
from apps.reconciliation.models import MatchLine, MatchStatus, ProductMapping, ReconciliationStatement, StatementMatch
from apps.reconciliation.services.matching import Trigger, normalise_tax_id

# A queued re-run that has not run after its delay plus this long is taken as
# lost (its message was), and the next change queues another.
LOST_RERUN_GRACE = timedelta(minutes=10)
logger = logging.getLogger(__name__)


def queue_match(statement_id: int, trigger: str, *, countdown: int = 0, user_id: int | None = None) -> None:
    """Queue a run of ``statement_match`` (eager on the embedded default). Called
    after commit: a broker that refuses is logged, and the statement keeps its
    previous result (or "not run") until the next trigger or ``match_statements``."""
    from apps.reconciliation.tasks import match_statement  # the tasks import the services

    try:
        match_statement.apply_async(args=[statement_id, trigger, user_id], countdown=countdown)
    except Exception:
        logger.exception("could not queue the match of statement %s", statement_id)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def statements_for_purchase_changes(changes: Iterable[tuple[int | None, int | None, str | None]]) -> list[int]:
    """Ids of the statements whose match may change: those whose stored result
    used one of the purchases, and those of the purchases' suppliers (by tax id,
    or as last matched) whose period holds one of the issued dates.

    ``changes``: (purchase id, supplier id, issued date ``YYYY-MM-DD``), as the
    purchase is now (or was, when deleted).
    """
    purchase_ids: set[int] = set()
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for purchase_id, supplier_id, issued in changes:
        if purchase_id:
            purchase_ids.add(purchase_id)
        if supplier_id and issued:
            dates[supplier_id].append(dt.date.fromisoformat(issued))
    scope = Q(pk__in=MatchLine.objects.filter(purchase_id__in=purchase_ids).values("match__statement_id"))
    tax_ids = purchases.supplier_tax_ids(dates)
    for supplier_id, days in dates.items():
        first, last = min(days), max(days)
        scope |= Q(match__supplier_id=supplier_id, match__period_start__lte=last, match__period_end__gte=first)
        if tax_ids.get(supplier_id):
            scope |= Q(
                supplier_tax_id=tax_ids[supplier_id],
                start_time__lt=midnight(last + timedelta(days=1)),
                end_time__gte=midnight(first),
            )
    return sorted(set(ReconciliationStatement.objects.filter(scope).values_list("pk", flat=True)))


def statements_for_supplier_change(*, supplier_id: int, tax_id: str) -> list[int]:
    """Ids of the statements a supplier's creation, change or deletion may decide:
    those with its tax id not matched to it yet (not run, unknown or ambiguous
    supplier, or matched to another), those matched to it that no longer carry
    its tax id, and every ambiguous one."""
    tax_id = normalise_tax_id(tax_id)
    scope = Q(match__status=MatchStatus.AMBIGUOUS_SUPPLIER) | (
        Q(match__supplier_id=supplier_id) & ~Q(supplier_tax_id=tax_id)
    )
    if tax_id:
        scope |= Q(supplier_tax_id=tax_id) & (
            Q(match__isnull=True) | Q(match__supplier_id__isnull=True) | ~Q(match__supplier_id=supplier_id)
        )
    return sorted(set(ReconciliationStatement.objects.filter(scope).values_list("pk", flat=True)))


def statements_mark_stale(*, statement_ids: Iterable[int], changed_at: dt.datetime, trigger: str) -> list[int]:
    """Mark the results that ran before ``changed_at`` stale and queue one
    re-run each after the delay, unless one is queued already (debounce).
    Returns the ids queued. (A statement never matched has its first run
    queued since it was received.)

    The statements' rows are locked first, so a run in progress finishes (and
    its ``ran_at`` is seen) before this decides.
    """
    delay = settings.RECONCILIATION_REMATCH_DELAY_SECONDS
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            ReconciliationStatement.objects.select_for_update()
            .filter(pk__in=list(statement_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        results = StatementMatch.objects.filter(statement_id__in=ids, ran_at__lt=changed_at)
        results.filter(stale_since__isnull=True).update(stale_since=changed_at)
        due = results.filter(Q(rerun_due_at__isnull=True) | Q(rerun_due_at__lt=now - LOST_RERUN_GRACE))
        to_queue = list(due.values_list("statement_id", flat=True))
        due.update(rerun_due_at=now + timedelta(seconds=delay))
        for statement_id in sorted(to_queue):
            transaction.on_commit(partial(queue_match, statement_id, trigger, countdown=delay), robust=True)
    return sorted(to_queue)


def purchases_changed(
    *, changes: list[tuple[int | None, int | None, str | None]], changed_at: dt.datetime
) -> list[int]:
    """Purchases were written or deleted: mark the statements they concern stale
    and queue their debounced re-runs. Returns the statement ids queued."""
    return statements_mark_stale(
        statement_ids=statements_for_purchase_changes(changes),
        changed_at=changed_at,
        trigger=Trigger.PURCHASES_CHANGED,
    )


def supplier_changed(*, supplier_id: int, tax_id: str, changed_at: dt.datetime) -> list[int]:
    """A supplier was created, changed or deleted: re-match the statements it may decide."""
    return statements_mark_stale(
        statement_ids=statements_for_supplier_change(supplier_id=supplier_id, tax_id=tax_id),
        changed_at=changed_at,
        trigger=Trigger.SUPPLIER_CHANGED,
    )


def mapping_changed(*, supplier_ids: Iterable[int], changed_at: dt.datetime) -> list[int]:
    """A product mapping of these suppliers was added, changed or deleted: the
    statements matched to them pair by it, so their results go stale and re-run."""
    ids = ReconciliationStatement.objects.filter(match__supplier_id__in=list(supplier_ids)).values_list("pk", flat=True)
    return statements_mark_stale(statement_ids=ids, changed_at=changed_at, trigger=Trigger.MAPPING)


def unit_changed(*, unit_id: int, changed_at: dt.datetime) -> list[int]:
    """A unit's base or factor changed: statements with lines in it, and those of
    suppliers whose mappings are in it, convert through it."""
    in_lines = Q(lines__unit_id=unit_id)
    by_mapping = Q(match__supplier_id__in=ProductMapping.objects.filter(unit_id=unit_id).values("supplier_id"))
    ids = ReconciliationStatement.objects.filter(in_lines | by_mapping).values_list("pk", flat=True).distinct()
    return statements_mark_stale(statement_ids=ids, changed_at=changed_at, trigger=Trigger.UNIT)
