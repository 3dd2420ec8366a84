"""The pairing rules on their own (no database): the spec's worked example, each
step, each tolerance at its edge, keys, unit factors and the totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.reconciliation.matching.pairing import (
    AMOUNT_DIFFERS,
    KEY_BY_CODE,
    KEY_BY_NAME,
    MATCHED,
    NOT_IN_PURCHASES,
    NOT_ON_STATEMENT,
    PRICE_DIFFERS,
    QUANTITY_DIFFERS,
    PurchaseLineRecord,
    StatementLineRecord,
    code_key,
    name_key,
    natural_key,
    pair_lines,
    round2,
)
from apps.reconciliation.matching.records import (
    UNIT_NOT_CONVERTIBLE,
    MappingRef,
    UnitRef,
    statement_line_amounts,
    statement_line_key,
    unit_conversion,
)
from apps.reconciliation.matching.totals import compute_totals

D = Decimal
TOLERANCE = D("0.01")
PRODUCT = "233W5THXL-01212"
_ids = iter(range(1, 1_000_000))


def statement_line(
    item_no: str = "01",
    *,
    quantity: str = "10",
    net: str | None = "39428.58",
    tax: str | None = "2365.71",
    gross: str | None = "41794.30",
    key: str = code_key(PRODUCT),
    source: str = KEY_BY_CODE,
) -> StatementLineRecord:
    return StatementLineRecord(
        id=next(_ids),
        item_no=item_no,
        key=key,
        key_source=source,
        quantity=D(quantity),
        net=None if net is None else D(net),
        tax=None if tax is None else D(tax),
        gross=None if gross is None else D(gross),
    )


def purchase_line(
    quantity: str = "10",
    rate: str = "3942.858",
    vat_level: str = "6",
    *,
    product: str | None = PRODUCT,
    description: str = "API条目测试商品 BQF3 - C",
    number: int = 1,
    line_number: int = 1,
    issued: dt.date = dt.date(2019, 5, 15),
) -> PurchaseLineRecord:
    net = D(quantity) * D(rate)
    tax = round2(net * D(vat_level) / 100)
    return PurchaseLineRecord(
        id=next(_ids),
        purchase_id=number,
        purchase_number=number,
        issued_date=issued,
        line_number=line_number,
        code_key=code_key(product) if product else None,
        name_key=name_key(description),
        quantity=D(quantity),
        rate=D(rate),
        net=net,
        tax=tax,
        gross=net + tax,
    )


def statuses(result) -> list[str]:
    return [pairing.status for pairing in result.pairings]


# --- the worked example -------------------------------------------------------------


def test_worked_example_exact_purchase_is_matched():
    line, purchase = statement_line(), purchase_line()
    result = pair_lines([line], [purchase], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED]
    pairing = result.pairings[0]
    assert pairing.statement_lines == [line] and pairing.purchase_lines == [purchase]
    assert purchase.net == D("39428.580") and purchase.tax == D("2365.71")
    # gross 41794.29 against the statement's 41794.30: one cent, within the tolerance
    assert pairing.gross_difference == D("0.01")


def test_worked_example_quantity_nine_is_quantity_differs_by_one_unit():
    result = pair_lines([statement_line()], [purchase_line(quantity="9")], tolerance=TOLERANCE)
    assert statuses(result) == [QUANTITY_DIFFERS]
    pairing = result.pairings[0]
    # statement minus purchases: the supplier claims one unit, 3942.86 net, more than we hold
    assert pairing.quantity_difference == D(1)
    assert pairing.net_difference == D("3942.86")


def test_worked_example_other_rate_is_price_differs():
    result = pair_lines([statement_line()], [purchase_line(rate="3900.00")], tolerance=TOLERANCE)
    assert statuses(result) == [PRICE_DIFFERS]
    pairing = result.pairings[0]
    assert pairing.purchase_lines[0].net == D("39000.0000")
    assert pairing.net_difference == D("428.58")
    assert pairing.quantity_difference == 0


def test_worked_example_two_deliveries_of_four_and_six_are_both_matched():
    four = purchase_line(quantity="4", number=1)
    six = purchase_line(quantity="6", number=2)
    result = pair_lines([statement_line()], [four, six], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED]
    assert result.pairings[0].purchase_lines == [four, six]
    assert result.pairings[0].step == 2


def test_worked_example_no_purchase_is_not_in_purchases_for_its_net():
    line = statement_line()
    result = pair_lines([line], [], tolerance=TOLERANCE)
    assert statuses(result) == [NOT_IN_PURCHASES]
    assert result.pairings[0].net_difference == D("39428.58")


def test_worked_example_other_product_is_not_on_statement():
    other = purchase_line(product="OTHER-1", description="something else")
    result = pair_lines([statement_line()], [other], tolerance=TOLERANCE)
    assert statuses(result) == [NOT_IN_PURCHASES, NOT_ON_STATEMENT]
    assert result.pairings[1].purchase_lines == [other]
    assert result.pairings[1].net_difference == D("-39428.58")


# --- tolerance at its edge ------------------------------------------------------------


def test_net_one_cent_apart_is_matched_and_just_over_is_not():
    # rate 3942.859: net 39428.59, one cent over the statement's 39428.58
    at_edge = pair_lines([statement_line()], [purchase_line(rate="3942.859")], tolerance=TOLERANCE)
    assert statuses(at_edge) == [MATCHED]
    # rate 3942.8591: net 39428.591, 1.1 cents over
    over = pair_lines([statement_line()], [purchase_line(rate="3942.8591")], tolerance=TOLERANCE)
    assert statuses(over) == [PRICE_DIFFERS]
    assert over.pairings[0].net_difference == D("-0.01")


def test_tax_one_cent_apart_is_matched_and_two_cents_is_amount_differs():
    at_edge = pair_lines([statement_line(tax="2365.72", gross="41794.30")], [purchase_line()], tolerance=TOLERANCE)
    assert statuses(at_edge) == [MATCHED]
    over = pair_lines([statement_line(tax="2365.73", gross="41794.31")], [purchase_line()], tolerance=TOLERANCE)
    assert statuses(over) == [AMOUNT_DIFFERS]
    assert over.pairings[0].tax_difference == D("0.02")
    assert over.pairings[0].net_difference == 0


def test_gross_two_cents_apart_is_amount_differs():
    result = pair_lines([statement_line(gross="41794.31")], [purchase_line()], tolerance=TOLERANCE)
    assert statuses(result) == [AMOUNT_DIFFERS]
    assert result.pairings[0].gross_difference == D("0.02")


def test_other_vat_rate_is_amount_differs_not_price():
    result = pair_lines([statement_line()], [purchase_line(vat_level="5")], tolerance=TOLERANCE)
    assert statuses(result) == [AMOUNT_DIFFERS]
    assert result.pairings[0].tax_difference == D("394.28")  # 2365.71 - 1971.43


def test_a_wider_tolerance_matches_what_the_default_does_not():
    purchase = purchase_line(rate="3942.86")  # net 39428.60, two cents over
    assert statuses(pair_lines([statement_line()], [purchase], tolerance=TOLERANCE)) == [PRICE_DIFFERS]
    assert statuses(pair_lines([statement_line()], [purchase], tolerance=D("0.02"))) == [MATCHED]


def test_grouping_price_within_tolerance_through_the_amount():
    # 4 x 3942.8605 = 15771.442: a price 0.0025 off gives one cent on four units (grouped),
    # so the group of 4 + 6 is compared on its sums: 39428.595 against 39428.58.
    result = pair_lines(
        [statement_line()],
        [purchase_line(quantity="4", rate="3942.8605"), purchase_line(quantity="6", number=2)],
        tolerance=TOLERANCE,
    )
    assert statuses(result) == [MATCHED]
    # 0.003 off on four units is 1.2 cents: not the same price. The group at the
    # statement's price is the 6-unit delivery alone (4 units short); the other
    # delivery is left over.
    apart = pair_lines(
        [statement_line()],
        [purchase_line(quantity="4", rate="3942.861"), purchase_line(quantity="6", number=2)],
        tolerance=TOLERANCE,
    )
    assert statuses(apart) == [QUANTITY_DIFFERS, NOT_ON_STATEMENT]
    assert apart.pairings[0].quantity_difference == D(4)
    assert apart.pairings[1].purchase_lines[0].quantity == D(4)


# --- the steps --------------------------------------------------------------------------


def test_one_to_one_takes_purchase_lines_in_date_number_line_order():
    later = purchase_line(number=2, issued=dt.date(2019, 5, 16))
    earlier = purchase_line(number=9, issued=dt.date(2019, 5, 15))
    result = pair_lines([statement_line()], [later, earlier], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED, NOT_ON_STATEMENT]
    assert result.pairings[0].purchase_lines == [earlier]
    assert result.pairings[1].purchase_lines == [later]


def test_statement_lines_are_taken_in_numeric_item_no_order():
    ten = statement_line("10")
    two = statement_line("2")
    result = pair_lines([ten, two], [purchase_line()], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED, NOT_IN_PURCHASES]
    assert result.pairings[0].statement_lines == [two]
    assert natural_key("2") < natural_key("10") and natural_key("A2") < natural_key("A10")


def test_split_statement_against_one_delivery_is_grouped_matched():
    first = statement_line("01", quantity="4", net="15771.43", tax="946.29", gross="16717.72")
    second = statement_line("02", quantity="6", net="23657.15", tax="1419.43", gross="25076.58")
    result = pair_lines([first, second], [purchase_line()], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED]
    assert result.pairings[0].statement_lines == [first, second]


def test_group_with_fewer_units_is_quantity_differs():
    first = statement_line("01", quantity="4", net="15771.43", tax="946.29", gross="16717.72")
    second = statement_line("02", quantity="6", net="23657.15", tax="1419.43", gross="25076.58")
    result = pair_lines(
        [first, second], [purchase_line(quantity="3"), purchase_line(quantity="5")], tolerance=TOLERANCE
    )
    assert statuses(result) == [QUANTITY_DIFFERS]
    assert result.pairings[0].quantity_difference == D(2)
    assert result.pairings[0].net_difference == D("7885.72")  # 39428.58 - 8 x 3942.858


def test_same_key_other_price_pairs_equal_quantities_first():
    line = statement_line()
    cheaper = purchase_line(quantity="3", rate="100", number=1)
    same_quantity = purchase_line(quantity="10", rate="3900", number=2)
    result = pair_lines([line], [cheaper, same_quantity], tolerance=TOLERANCE)
    assert statuses(result) == [PRICE_DIFFERS, NOT_ON_STATEMENT]
    assert result.pairings[0].purchase_lines == [same_quantity]


def test_same_key_other_price_groups_the_rest_and_notes_the_quantity():
    result = pair_lines(
        [statement_line()],
        [purchase_line(quantity="3", rate="100"), purchase_line(quantity="5", rate="200", number=2)],
        tolerance=TOLERANCE,
    )
    assert statuses(result) == [PRICE_DIFFERS]
    pairing = result.pairings[0]
    assert pairing.quantity_difference == D(2)
    assert pairing.net_difference == D("38128.58")  # 39428.58 - (300 + 1000)
    assert pairing.notes == ["quantity_differs_too"]


def test_deliveries_at_two_prices_that_add_up_are_matched():
    # 5 x 3900 + 5 x 3985.716 = 39428.58: other prices per line, equal sums
    result = pair_lines(
        [statement_line()],
        [purchase_line(quantity="5", rate="3900"), purchase_line(quantity="5", rate="3985.716", number=2)],
        tolerance=TOLERANCE,
    )
    assert statuses(result) == [MATCHED]
    assert result.pairings[0].step == 3


def test_statement_line_without_amounts_compares_quantity_only():
    bare = statement_line(net=None, tax=None, gross=None)
    assert statuses(pair_lines([bare], [purchase_line(rate="1")], tolerance=TOLERANCE)) == [MATCHED]
    short = pair_lines([bare], [purchase_line(quantity="7", rate="1")], tolerance=TOLERANCE)
    assert statuses(short) == [QUANTITY_DIFFERS]
    assert short.pairings[0].net_difference is None


def test_every_line_ends_in_exactly_one_pairing():
    lines = [
        statement_line(f"{i:02d}", quantity=str(i + 1), net=str((i + 1) * 10), tax="0", gross=str((i + 1) * 10))
        for i in range(6)
    ]
    purchases = [
        purchase_line(quantity=str(q), rate="10", vat_level="0", number=n) for n, q in enumerate([1, 2, 2, 9, 4], 1)
    ]
    result = pair_lines(lines, purchases, tolerance=TOLERANCE)
    seen_lines = [s.id for p in result.pairings for s in p.statement_lines]
    seen_purchases = [p.id for pairing in result.pairings for p in pairing.purchase_lines]
    assert sorted(seen_lines) == sorted(s.id for s in lines)
    assert sorted(seen_purchases) == sorted(p.id for p in purchases)


# --- keys: product codes first, then names as suggestions ---------------------------


def test_name_key_pairs_a_purchase_line_by_description_as_a_suggestion():
    line = statement_line(key=name_key("API条目测试商品", "BQF3 - C"), source=KEY_BY_NAME)
    purchase = purchase_line(product=None, description="  api条目测试商品   bqf3 - c ")
    result = pair_lines([line], [purchase], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED]
    assert result.pairings[0].suggested is True


def test_product_keys_take_purchase_lines_before_names_do():
    by_code = statement_line("02")
    by_name = statement_line("01", key=name_key("API条目测试商品", "BQF3 - C"), source=KEY_BY_NAME)
    purchase = purchase_line()  # has the product and the description
    result = pair_lines([by_name, by_code], [purchase], tolerance=TOLERANCE)
    assert [(p.status, p.statement_lines[0].item_no) for p in result.pairings] == [
        (NOT_IN_PURCHASES, "01"),
        (MATCHED, "02"),
    ]
    assert result.pairings[1].suggested is False


def test_statement_line_key_prefers_mapping_then_code_then_name():
    common = {
        "unit": "EA",
        "item_name": "Seller name",
        "specification": "S1",
        "buyer_item_name": "Buyer  Name",
        "buyer_specification": "",
        "units": {},
    }
    mapped = statement_line_key(
        product_no=" abc-1 ",
        mappings={"ABC-1": MappingRef("FH-9", D(12))},
        product_codes={"ABC-1": "abc-1"},
        **common,
    )
    assert (mapped.key, mapped.source, mapped.factor) == (code_key("FH-9"), "mapping", D(12))
    by_code = statement_line_key(product_no="abc-1", mappings={}, product_codes={"ABC-1": "Abc-1"}, **common)
    assert (by_code.key, by_code.source, by_code.factor, by_code.product_code) == (
        code_key("ABC-1"),
        "code",
        D(1),
        "Abc-1",
    )
    by_name = statement_line_key(product_no="abc-1", mappings={}, product_codes={}, **common)
    # the buyer's name, and the seller's specification as the buyer gave none
    assert (by_name.key, by_name.source) == ("name:buyer name s1", "name")


# --- units ---------------------------------------------------------------------------------

UNITS = {
    "KG": UnitRef("KG", "G", D(1000)),
    "T": UnitRef("T", "G", D(1_000_000)),
    "G": UnitRef("G"),
    "BOX": UnitRef("BOX"),
}


def test_unit_conversion_through_the_base_unit():
    assert unit_conversion("T", "KG", UNITS) == D(1000)
    assert unit_conversion("G", "KG", UNITS) == D("0.001")
    assert unit_conversion("KG", "KG", UNITS) == D(1)
    assert unit_conversion("BOX", "KG", UNITS) is None


def test_mapping_factor_and_unit_conversion_scale_the_statement_quantity():
    common = {
        "item_name": "x",
        "specification": "",
        "buyer_item_name": "x",
        "buyer_specification": "",
        "product_codes": {},
        "units": UNITS,
    }
    box_of_twelve = {"P-1": MappingRef("FH-1", D(12), "BOX")}
    assert statement_line_key(product_no="P-1", unit="BOX", mappings=box_of_twelve, **common).factor == D(12)
    per_kg = {"P-2": MappingRef("FH-2", D(1), "KG")}
    tonnes = statement_line_key(product_no="P-2", unit="T", mappings=per_kg, **common)
    assert (tonnes.factor, tonnes.note) == (D(1000), "")
    boxes = statement_line_key(product_no="P-2", unit="BOX", mappings=per_kg, **common)
    assert (boxes.factor, boxes.note) == (D(1), UNIT_NOT_CONVERTIBLE)


def test_a_box_of_twelve_matches_twelve_units_in_purchases():
    # 2 boxes on the statement are 24 units in our books at 10.00 net each
    line = statement_line(quantity=str(2 * 12), net="240.00", tax="0", gross="240.00")
    result = pair_lines([line], [purchase_line(quantity="24", rate="10", vat_level="0")], tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED]


# --- statement amounts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"amount_without_tax": "39428.58", "tax_amount": "2365.71", "amount": "41794.30"},
            ("39428.58", "2365.71", "41794.30"),
        ),
        ({"amount": "41794.30", "tax_amount": "2365.71"}, ("39428.59", "2365.71", "41794.30")),
        ({"unit_price": "4179.43", "tax_percent": "0.06"}, ("39428.58", "2365.71", "41794.29")),
        ({"unit_price": "4179.43"}, ("41794.30", None, "41794.30")),
        ({}, (None, None, None)),
    ],
)
def test_statement_line_amounts_are_derived_in_the_spec_order(fields, expected):
    amounts = statement_line_amounts(
        quantity=D(10),
        unit_price=D(fields["unit_price"]) if "unit_price" in fields else None,
        amount_without_tax=D(fields["amount_without_tax"]) if "amount_without_tax" in fields else None,
        tax_percent=D(fields["tax_percent"]) if "tax_percent" in fields else None,
        tax_amount=D(fields["tax_amount"]) if "tax_amount" in fields else None,
        amount=D(fields["amount"]) if "amount" in fields else None,
    )
    assert (amounts.net, amounts.tax, amounts.gross) == tuple(None if v is None else D(v) for v in expected)


# --- totals ----------------------------------------------------------------------------------


def test_totals_split_the_difference_by_kind_and_add_up():
    lines = [
        statement_line("01"),  # matched
        statement_line("02", quantity="5", net="500", tax="30", gross="530", key=code_key("B")),  # qty differs
        statement_line("03", quantity="1", net="70", tax="0", gross="70", key=code_key("C")),  # not in purchases
    ]
    purchases = [
        purchase_line(),
        purchase_line(quantity="4", rate="100", product="B", number=2),
        purchase_line(quantity="2", rate="25", vat_level="0", product="D", number=3),  # not on statement
    ]
    result = pair_lines(lines, purchases, tolerance=TOLERANCE)
    assert statuses(result) == [MATCHED, QUANTITY_DIFFERS, NOT_IN_PURCHASES, NOT_ON_STATEMENT]
    totals = compute_totals(lines, purchases, result)
    assert totals.statement.net == D("39998.58")
    assert totals.purchases.net == D("39878.58")  # 39428.58 + 400 + 50
    assert totals.paired.net == D("39828.58")
    assert totals.difference.net == D("120.00")
    assert totals.by_kind["quantity"].net == D("100.00")
    assert totals.by_kind["not_in_purchases"].net == D("70.00")
    assert totals.by_kind["not_on_statement"].net == D("-50.00")
    assert totals.by_kind["price"].net == 0
    assert totals.by_kind["within_tolerance"].gross == D("0.01")
    for measure in ("net", "tax", "gross"):
        assert sum(getattr(k, measure) for k in totals.by_kind.values()) == getattr(totals.difference, measure)
