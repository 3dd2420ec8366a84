"""Stock receipts: a received line of a stock-managed product adds its quantity
to the product's stock once; a received line that is changed or deleted (or
its purchase deleted) moves stock by the difference."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from apps.purchases.models import Product, Purchase, PurchaseLine

ZERO = Decimal("0")


def stock_effect(lines: Iterable[PurchaseLine]) -> dict[int, Decimal]:
    effect: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.stock_received and line.product_id is not None:
            effect[line.product_id] += line.quantity
    return effect


def apply_stock(before: dict[int, Decimal], after: dict[int, Decimal]) -> None:
    """Move stock by the difference between what the lines had received before
    and after this write: a line received now adds its quantity once; a received
    line that is deleted or changed takes its old quantity back."""
    for product_id in sorted(set(before) | set(after)):
        delta = after.get(product_id, ZERO) - before.get(product_id, ZERO)
        if delta:
            Product.objects.filter(pk=product_id).update(quantity_in_stock=F("quantity_in_stock") + delta)


@contextmanager
def stock_tracking(purchase: Purchase) -> Iterator[None]:
    """Around edits of a purchase's lines made elsewhere (the admin inline): move
    stock by what the received lines changed, as the API's writes do."""
    with transaction.atomic():
        before = stock_effect(purchase.lines.all()) if purchase.pk else {}
        yield
        apply_stock(before, stock_effect(purchase.lines.all()))
