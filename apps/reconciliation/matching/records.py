"""From stored lines to pairing records: a statement line's net, tax and gross,
its product key and unit factor; a purchase line's amounts. Pure functions.

Source: the reconciliation-matching spec, "Amounts compared" and "Product key".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from apps.reconciliation.matching.pairing import (
    KEY_BY_CODE,
    KEY_BY_MAPPING,
    KEY_BY_NAME,
    ZERO,
    code_key,
    name_key,
    round2,
)


@dataclass(frozen=True)
class StatementAmounts:
    net: Decimal | None
    tax: Decimal | None
    gross: Decimal | None


def statement_line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal | None,
    amount_without_tax: Decimal | None,
    tax_percent: Decimal | None,
    tax_amount: Decimal | None,
    amount: Decimal | None,
) -> StatementAmounts:
    """Net, tax and gross of a statement line (``unitPrice`` and ``amount`` include tax).

    * net: ``amountWithoutTax``; else ``amount - taxAmount``; else
      ``quantity x unitPrice / (1 + taxPercent)``, or without a unit price
      ``amount / (1 + taxPercent)`` (rounded half-up to 2);
    * tax: ``taxAmount``; else ``net x taxPercent`` (rounded); else ``amount - net``;
    * gross: ``amount``; else ``net + tax``; else ``quantity x unitPrice``.

    A part that cannot be derived is None and is then not compared.
    """
    net = amount_without_tax
    if net is None and amount is not None and tax_amount is not None:
        net = amount - tax_amount
    if net is None and unit_price is not None:
        net = round2(quantity * unit_price / (1 + (tax_percent or ZERO)))
    if net is None and amount is not None and tax_percent is not None:
        # Only the gross and the rate: validation holds quantity x unitPrice to
        # ``amount``, so the spec's last rule reads the same off ``amount``.
        net = round2(amount / (1 + tax_percent))
    tax = tax_amount
    if tax is None and net is not None and tax_percent is not None:
        tax = round2(net * tax_percent)
    if tax is None and net is not None and amount is not None:
        tax = amount - net
    gross = amount
    if gross is None and net is not None and tax is not None:
        gross = net + tax
    if gross is None and unit_price is not None:
        gross = quantity * unit_price
    return StatementAmounts(net, tax, gross)


@dataclass(frozen=True)
class UnitRef:
    """A unit of the unit table: ``factor`` of ``base`` make one of it (KG: 1000 G)."""

    code: str
    base: str | None = None
    factor: Decimal | None = None


def unit_conversion(from_code: str, to_code: str, units: Mapping[str, UnitRef]) -> Decimal | None:
    """How many ``to`` units one ``from`` unit is, through the unit table: both
    units are reduced to their base unit; None when they have no base in common."""
    if from_code == to_code:
        return Decimal(1)

    def to_base(code: str) -> tuple[str, Decimal]:
        unit = units.get(code)
        if unit is None or not unit.base or unit.factor is None:
            return code, Decimal(1)
        return unit.base, unit.factor

    from_base, from_factor = to_base(from_code)
    to_base_code, to_factor = to_base(to_code)
    if from_base != to_base_code or not to_factor:
        return None
    return from_factor / to_factor


@dataclass(frozen=True)
class MappingRef:
    """A product mapping row: supplier ``productNo`` -> finhub product code.
    ``factor`` finhub units make one ``unit`` of the supplier (a box of 12: 12);
    ``unit`` blank: the factor applies to whatever unit the line is in."""

    product_code: str
    factor: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class LineKey:
    key: str
    source: str
    factor: Decimal
    product_code: str | None
    note: str = ""


UNIT_NOT_CONVERTIBLE = "unit_not_convertible"
NO_AMOUNTS = "no_amounts"


def normalise_product_no(product_no: str) -> str:
    return product_no.strip().upper()


def statement_line_key(
    *,
    product_no: str,
    unit: str,
    item_name: str,
    specification: str,
    buyer_item_name: str,
    buyer_specification: str,
    mappings: Mapping[str, MappingRef],
    product_codes: Mapping[str, str],
    units: Mapping[str, UnitRef],
) -> LineKey:
    """The product key of a statement line, in the spec's order: a mapping row;
    a finhub product whose code equals ``productNo`` (case-insensitive, factor 1);
    else the normalised buyer's (or seller's) name and specification.

    ``mappings`` is keyed by the normalised ``productNo``; ``product_codes`` maps
    an upper-cased code to the product's code as stored.
    """
    normalised = normalise_product_no(product_no)
    mapping = mappings.get(normalised)
    if mapping is not None:
        factor, note = mapping.factor, ""
        if mapping.unit and mapping.unit != unit:
            conversion = unit_conversion(unit, mapping.unit, units)
            if conversion is None:
                # 10 EA is not 10 KG: a key of its own, so the line pairs with no
                # purchase line and ends ``not in purchases`` with the note.
                key = f"{code_key(mapping.product_code)}|unit:{unit}"
                return LineKey(key, KEY_BY_MAPPING, factor, mapping.product_code, UNIT_NOT_CONVERTIBLE)
            factor = conversion * mapping.factor
        return LineKey(code_key(mapping.product_code), KEY_BY_MAPPING, factor, mapping.product_code, note)
    code = product_codes.get(normalised)
    if code is not None:
        return LineKey(code_key(code), KEY_BY_CODE, Decimal(1), code)
    name = buyer_item_name.strip() or item_name
    spec = buyer_specification.strip() or specification
    return LineKey(name_key(name, spec), KEY_BY_NAME, Decimal(1), None)
