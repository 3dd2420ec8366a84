"""The product mapping, learned: when a reviewer accepts a pairing that matching
suggested by name, the supplier's product number is mapped to the finhub
product of the purchase line, and the statement is matched again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ValidationFailed
from apps.purchases import selectors as purchases
from apps.reconciliation import messages
from apps.reconciliation.matching.records import normalise_product_no
from apps.reconciliation.models import MatchLine, ProductMapping, Unit
from apps.reconciliation.services.matching import Trigger, statement_match
from apps.reconciliation.services.rematch import mapping_changed, unit_changed


@transaction.atomic
def product_mapping_learn(*, match_line: MatchLine, by: Any) -> ProductMapping:
    """Store (supplier, ``productNo``) -> the purchase line's product code, factor 1,
    from a suggested pairing, and re-match the statement.

    Raises ValidationFailed when the row is not a suggestion with a statement
    line, or its purchase line has no product (or the product is gone).
    """
    match = match_line.match
    statement_line = match_line.statement_line
    if not match_line.suggested or statement_line is None or match.supplier_id is None:
        raise ValidationFailed(messages.MAPPING_NOT_SUGGESTED)
    code = match_line.purchase_product_code
    if not code:
        raise ValidationFailed(messages.MAPPING_NO_PRODUCT)
    if not purchases.product_codes([code.upper()]):
        raise ValidationFailed(messages.MAPPING_UNKNOWN_PRODUCT.format(code=code))
    mapping, _created = ProductMapping.objects.update_or_create(
        supplier_id=match.supplier_id,
        supplier_product_no=normalise_product_no(statement_line.product_no),
        defaults={
            "product_code": code,
            "factor": 1,
            "unit": None,
            "source": ProductMapping.Source.LEARNED,
            "created_by": by if getattr(by, "pk", None) else None,
        },
    )
    statement_match(statement=match.statement_id, trigger=Trigger.MAPPING, by=by)
    return mapping


@transaction.atomic
def product_mapping_save(*, mapping: ProductMapping, by: Any) -> ProductMapping:
    """Save a mapping entered in the admin; the statements of its supplier (and of
    its former supplier) go stale and are matched again after the delay."""
    if mapping.pk is None and getattr(by, "pk", None):
        mapping.created_by = by
    suppliers = {mapping.supplier_id}
    if mapping.pk is not None:
        suppliers |= set(ProductMapping.objects.filter(pk=mapping.pk).values_list("supplier_id", flat=True))
    mapping.save()
    mapping_changed(supplier_ids=suppliers, changed_at=timezone.now())
    return mapping


@transaction.atomic
def product_mapping_delete(*, mapping: ProductMapping) -> None:
    """Delete a mapping; its supplier's statements are matched again."""
    supplier_id = mapping.supplier_id
    mapping.delete()
    mapping_changed(supplier_ids=[supplier_id], changed_at=timezone.now())


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Save a unit of the unit table; when its base or factor changed, the
    statements that convert through it are matched again."""
    before = Unit.objects.filter(pk=unit.pk).values("base_unit_id", "base_factor").first() if unit.pk else None
    unit.save()
    if before is not None and (before["base_unit_id"], before["base_factor"]) != (unit.base_unit_id, unit.base_factor):
        unit_changed(unit_id=unit.pk, changed_at=timezone.now())
    return unit
