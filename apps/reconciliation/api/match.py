"""The shape of a stored match on the read API
(``/api/v1/reconciliations/<uuid>/match/``). Amounts are decimal strings;
differences are statement minus our purchases."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.casing import CamelCaseFieldsMixin
from apps.reconciliation.models import MatchLine, MatchStatus, ReconciliationStatement, StatementMatch
from apps.reconciliation.selectors import match_purchases


def _money(*, allow_null: bool = False) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=allow_null)


def _quantity(*, allow_null: bool = False) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=28, decimal_places=8, allow_null=allow_null)


class AmountsSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    net = _money(allow_null=True)
    tax = _money(allow_null=True)
    gross = _money(allow_null=True)


def _amounts(match: StatementMatch, prefix: str) -> dict[str, Any]:
    return {measure: getattr(match, f"{prefix}_{measure}") for measure in ("net", "tax", "gross")}


class MatchTotalsSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    statement = AmountsSerializer()
    purchases = AmountsSerializer(help_text="Purchase lines of the supplier and period in the statement's currency.")
    paired = AmountsSerializer(help_text="Those of them paired with statement lines.")
    difference = AmountsSerializer(help_text="Statement minus purchases.")
    difference_by_kind = serializers.DictField(
        child=AmountsSerializer(),
        help_text="quantity, price, amount, not_in_purchases, not_on_statement, within_tolerance: they add up to "
        "the difference.",
    )


class MatchStatementLineSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    item_no = serializers.CharField()
    product_no = serializers.CharField()
    item_name = serializers.CharField()
    quantity = _money()
    unit = serializers.CharField()
    factor = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    quantity_in_our_unit = _quantity(allow_null=True)
    net = _money(allow_null=True)
    tax = _money(allow_null=True)
    gross = _money(allow_null=True)


class MatchPurchaseLineSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    purchase_id = serializers.IntegerField()
    purchase_number = serializers.IntegerField()
    purchase_version = serializers.DateTimeField(help_text="The purchase's last change when the match ran.")
    issued_date = serializers.DateField()
    currency = serializers.CharField()
    line_id = serializers.IntegerField()
    line_number = serializers.IntegerField()
    description = serializers.CharField()
    product_code = serializers.CharField(allow_blank=True)
    quantity = _quantity()
    rate = _money()
    net = _money()
    tax = _money()
    gross = _money()


class MatchDifferencesSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    quantity = _quantity(allow_null=True)
    net = _money(allow_null=True)
    tax = _money(allow_null=True)
    gross = _money(allow_null=True)


class MatchLineSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    paired_by = serializers.CharField(source="key_source", help_text="mapping, code or name (a suggestion).")
    notes = serializers.SerializerMethodField()
    statement_line = serializers.SerializerMethodField()
    purchase_line = serializers.SerializerMethodField()
    differences = serializers.SerializerMethodField()

    class Meta:
        model = MatchLine
        fields = [
            "position",
            "pairing",
            "status",
            "step",
            "suggested",
            "paired_by",
            "product_code",
            "notes",
            "statement_line",
            "purchase_line",
            "differences",
        ]

    def get_notes(self, row: MatchLine) -> list[str]:
        return [note for note in row.notes.split(",") if note]

    @extend_schema_field(MatchStatementLineSerializer(allow_null=True))
    def get_statement_line(self, row: MatchLine) -> Any:
        line = row.statement_line
        if line is None:
            return None
        return MatchStatementLineSerializer(
            {
                "item_no": line.item_no,
                "product_no": line.product_no,
                "item_name": line.item_name,
                "quantity": line.quantity,
                "unit": line.unit.code,
                "factor": row.factor,
                "quantity_in_our_unit": row.statement_quantity,
                "net": row.statement_net,
                "tax": row.statement_tax,
                "gross": row.statement_gross,
            }
        ).data

    @extend_schema_field(MatchPurchaseLineSerializer(allow_null=True))
    def get_purchase_line(self, row: MatchLine) -> Any:
        if row.purchase_line_id is None:
            return None
        return MatchPurchaseLineSerializer(
            {
                "purchase_id": row.purchase_id,
                "purchase_number": row.purchase_number,
                "purchase_version": row.purchase_version,
                "issued_date": row.purchase_issued_date,
                "currency": row.purchase_currency,
                "line_id": row.purchase_line_id,
                "line_number": row.purchase_line_number,
                "description": row.description,
                "product_code": row.purchase_product_code,
                "quantity": row.purchase_quantity,
                "rate": row.purchase_rate,
                "net": row.purchase_net,
                "tax": row.purchase_tax,
                "gross": row.purchase_gross,
            }
        ).data

    @extend_schema_field(MatchDifferencesSerializer(allow_null=True))
    def get_differences(self, row: MatchLine) -> Any:
        """On the first row of a pairing; None on its other rows."""
        if row.net_difference is None and row.quantity_difference is None:
            return None
        return MatchDifferencesSerializer(
            {
                "quantity": row.quantity_difference,
                "net": row.net_difference,
                "tax": row.tax_difference,
                "gross": row.gross_difference,
            }
        ).data


class MatchSupplierSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class MatchPurchaseSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    version = serializers.DateTimeField()
    currency = serializers.CharField()


class StatementMatchSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    """A statement's stored match (``status`` ``not_run`` and nothing else when it never ran)."""

    statement = serializers.UUIDField(source="statement.public_id")
    reconciliation_no = serializers.CharField(source="statement.reconciliation_no")
    status = serializers.ChoiceField(choices=MatchStatus.choices)
    stale = serializers.BooleanField(help_text="Purchases in scope changed after it ran; a re-run is queued.")
    stale_since = serializers.DateTimeField(allow_null=True)
    ran_at = serializers.DateTimeField(allow_null=True)
    trigger = serializers.CharField(allow_null=True)
    requested_by = serializers.CharField(allow_null=True)
    supplier_tax_id = serializers.CharField(source="statement.supplier_tax_id")
    supplier = MatchSupplierSerializer(allow_null=True)
    candidates = MatchSupplierSerializer(many=True, help_text="The suppliers sharing the tax id (ambiguous).")
    buyer_tax_id = serializers.CharField(source="statement.buyer_tax_id")
    buyer_check = serializers.CharField(allow_null=True, help_text="ok, skipped (COMPANY_TAX_ID not set) or other.")
    currency = serializers.CharField(allow_null=True)
    currency_assumed = serializers.BooleanField()
    first_day = serializers.DateField(allow_null=True)
    last_day = serializers.DateField(allow_null=True)
    purchase_count = serializers.IntegerField()
    other_currency_lines = serializers.IntegerField()
    totals = MatchTotalsSerializer(allow_null=True)
    line_counts = serializers.DictField(child=serializers.IntegerField())
    purchases = MatchPurchaseSerializer(many=True, help_text="The purchases it used and the version it saw.")
    lines = MatchLineSerializer(many=True)


def match_payload(statement: ReconciliationStatement, match: StatementMatch | None) -> dict[str, Any]:
    """What ``StatementMatchSerializer`` renders, for a match or for "not run"."""
    if match is None:
        return {
            "statement": statement,
            "status": MatchStatus.NOT_RUN,
            "stale": False,
            "stale_since": None,
            "ran_at": None,
            "trigger": None,
            "requested_by": None,
            "supplier": None,
            "candidates": [],
            "buyer_check": None,
            "currency": None,
            "currency_assumed": False,
            "first_day": None,
            "last_day": None,
            "purchase_count": 0,
            "other_currency_lines": 0,
            "totals": None,
            "line_counts": {},
            "purchases": [],
            "lines": [],
        }
    supplier = None
    if match.supplier_id is not None:
        supplier = {"id": match.supplier_id, "code": match.supplier_code, "name": match.supplier_name}
    totals = None
    if match.purchases_net is not None:
        totals = {
            "statement": _amounts(match, "statement"),
            "purchases": _amounts(match, "purchases"),
            "paired": _amounts(match, "paired"),
            "difference": _amounts(match, "difference"),
            "difference_by_kind": match.difference_by_kind,
        }
    return {
        "statement": statement,
        "status": match.status,
        "stale": match.is_stale,
        "stale_since": match.stale_since,
        "ran_at": match.ran_at,
        "trigger": match.trigger,
        "requested_by": match.requested_by.get_username() if match.requested_by else None,
        "supplier": supplier,
        "candidates": match.candidates,
        "buyer_check": match.buyer_check,
        "currency": match.currency,
        "currency_assumed": match.currency_assumed,
        "first_day": match.period_start,
        "last_day": match.period_end,
        "purchase_count": match.purchase_count,
        "other_currency_lines": match.other_currency_lines,
        "totals": totals,
        "line_counts": match.line_counts,
        "purchases": match_purchases(match),
        "lines": list(match.lines.all()),
    }
