"""What keeps stored matches current when purchases or suppliers change.

Connected to the purchases area's model signals (by model label: this app does
not import that area's models). A purchase write only notes the purchase (id,
supplier, issued date) for its transaction; once the transaction commits, one
task per transaction marks the statements concerned stale and queues their
debounced re-runs (``apps.reconciliation.services.rematch``). Nothing is done
for a transaction that rolls back but what it noted is folded into the next
one (a spare re-check, never a missed one). Raw saves (fixtures) are ignored.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)


class _Pending(threading.local):
    def __init__(self) -> None:
        self.purchases: dict[int, list[Any]] = {}


_pending = _Pending()


def _flush_purchases() -> None:
    changes = list(_pending.purchases.values())
    _pending.purchases.clear()
    if not changes:
        return
    from apps.reconciliation.tasks import purchases_changed_task

    purchases_changed_task.delay(changes, timezone.now().isoformat())


def purchase_written(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    issued = instance.issued_date.isoformat() if instance.issued_date else None
    _pending.purchases[instance.pk] = [instance.pk, instance.supplier_id, issued]
    # One callback per write; the first to run after the commit takes them all.
    transaction.on_commit(_flush_purchases, robust=True)


def supplier_written(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    from apps.purchases.selectors import supplier_tax_id
    from apps.reconciliation.tasks import supplier_changed_task

    supplier_id, tax_id = instance.pk, supplier_tax_id(instance)
    transaction.on_commit(
        lambda: supplier_changed_task.delay(supplier_id, tax_id, timezone.now().isoformat()), robust=True
    )


def connect() -> None:
    post_save.connect(purchase_written, sender="purchases.Purchase", dispatch_uid="recon_purchase_saved")
    post_delete.connect(purchase_written, sender="purchases.Purchase", dispatch_uid="recon_purchase_deleted")
    post_save.connect(supplier_written, sender="purchases.Supplier", dispatch_uid="recon_supplier_saved")
    post_delete.connect(supplier_written, sender="purchases.Supplier", dispatch_uid="recon_supplier_deleted")
