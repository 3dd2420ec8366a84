"""Every validation rule of saveReconForApi: one failing case each, answered with
HTTP 200, ok false, the field error in status.description, and nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from apps.core.bounds import NUL_CHARACTER, TOO_LONG
from apps.reconciliation import messages
from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit
from apps.reconciliation.taxids import uscc_check_character
from tests.reconciliation.conftest import example_line, example_statement


def top(**changes: Any) -> Callable[[dict], None]:
    def apply(body: dict) -> None:
        for key, value in changes.items():
            if value is DROP:
                body.pop(key)
            else:
                body[key] = value

    return apply


def line(**changes: Any) -> Callable[[dict], None]:
    def apply(body: dict) -> None:
        for key, value in changes.items():
            if value is DROP:
                body["itemList"][0].pop(key)
            else:
                body["itemList"][0][key] = value

    return apply


DROP = object()
LINE0 = "itemList[0]"

# (case id, change to the valid example, field path, expected message)
RULES: list[tuple[str, Callable[[dict], None], str, Any]] = [
    ("number missing", top(reconciliationNo=DROP), "reconciliationNo", messages.REQUIRED),
    ("number null", top(reconciliationNo=None), "reconciliationNo", messages.REQUIRED),
    ("number blank", top(reconciliationNo="   "), "reconciliationNo", messages.BLANK),
    ("number not a string", top(reconciliationNo=12), "reconciliationNo", messages.NOT_A_STRING),
    ("number too long", top(reconciliationNo="N" * 101), "reconciliationNo", TOO_LONG.format(max=100, length=101)),
    ("number with NUL", top(reconciliationNo="A\x00B"), "reconciliationNo", NUL_CHARACTER.format(position=1)),
    ("currency unknown", top(currency="XYZ"), "currency", messages.UNKNOWN_CURRENCY),
    ("currency unknown name", top(currency="金币"), "currency", messages.UNKNOWN_CURRENCY),
    ("currency not a string", top(currency=156), "currency", messages.NOT_A_STRING),
    ("start missing", top(startTime=DROP), "startTime", messages.REQUIRED),
    ("start not a time", top(startTime="yesterday"), "startTime", messages.NOT_A_TIME),
    ("start a boolean", top(startTime=True), "startTime", messages.NOT_A_TIME),
    ("start impossible date", top(startTime="2019-02-30"), "startTime", messages.NOT_A_TIME),
    ("start out of range", top(startTime=10**20), "startTime", messages.NOT_A_TIME),
    ("start superscript digit", top(startTime="\u00b3"), "startTime", messages.NOT_A_TIME),
    ("end missing", top(endTime=DROP), "endTime", messages.REQUIRED),
    ("end before start", top(endTime=1557883315046), "endTime", messages.END_BEFORE_START),
    (
        "end before start in ISO",
        top(startTime="2019-05-31", endTime="2019-05-01T00:00:00Z"),
        "endTime",
        messages.END_BEFORE_START,
    ),
    ("buyer missing", top(buyCompanyName=DROP), "buyCompanyName", messages.REQUIRED),
    ("buyer blank", top(buyCompanyName=""), "buyCompanyName", messages.BLANK),
    ("buyer tax id missing", top(buyCompanyTaxId=DROP), "buyCompanyTaxId", messages.REQUIRED),
    ("tax id 16 characters", top(buyCompanyTaxId="9150010300000000"), "buyCompanyTaxId", messages.TAX_ID_FORMAT),
    ("tax id with a dash", top(buyCompanyTaxId="31010666688888-"), "buyCompanyTaxId", messages.TAX_ID_FORMAT),
    (
        "USCC check digit wrong",
        top(buyCompanyTaxId="91500103MA5UAHBY28"),
        "buyCompanyTaxId",
        messages.TAX_ID_CHECK_DIGIT.format(expected="9"),
    ),
    ("USCC with a letter O", top(buyCompanyTaxId="91500103MA5UAHBO29"), "buyCompanyTaxId", messages.USCC_CHARACTERS),
    ("supplier missing", top(supplierCompanyName=DROP), "supplierCompanyName", messages.REQUIRED),
    (
        "supplier tax id 19",
        top(supplierCompanyTaxId="3101066668888881234"),
        "supplierCompanyTaxId",
        messages.TAX_ID_FORMAT,
    ),
    ("itemList missing", top(itemList=DROP), "itemList", messages.REQUIRED),
    ("itemList empty", top(itemList=[]), "itemList", messages.ITEM_LIST_EMPTY),
    ("itemList not a list", top(itemList={"itemNo": "01"}), "itemList", messages.NOT_A_LIST),
    ("line not an object", top(itemList=["01"]), LINE0, messages.LINE_NOT_AN_OBJECT),
    ("itemNo missing", line(itemNo=DROP), f"{LINE0}.itemNo", messages.REQUIRED),
    ("itemName blank", line(itemName=" "), f"{LINE0}.itemName", messages.BLANK),
    ("specification missing", line(specification=DROP), f"{LINE0}.specification", messages.REQUIRED),
    ("productNo missing", line(productNo=DROP), f"{LINE0}.productNo", messages.REQUIRED),
    ("buyerItemName missing", line(buyerItemName=DROP), f"{LINE0}.buyerItemName", messages.REQUIRED),
    (
        "buyerSpecification not a string",
        line(buyerSpecification=5),
        f"{LINE0}.buyerSpecification",
        messages.NOT_A_STRING,
    ),
    ("quantity missing", line(quantity=DROP), f"{LINE0}.quantity", messages.REQUIRED),
    ("quantity zero", line(quantity=0), f"{LINE0}.quantity", messages.MUST_BE_POSITIVE),
    ("quantity negative", line(quantity=-1), f"{LINE0}.quantity", messages.MUST_BE_POSITIVE),
    ("quantity text", line(quantity="ten"), f"{LINE0}.quantity", messages.NOT_A_DECIMAL),
    ("quantity boolean", line(quantity=True), f"{LINE0}.quantity", messages.NOT_A_DECIMAL),
    ("quantity a list", line(quantity=[10]), f"{LINE0}.quantity", messages.NOT_A_DECIMAL),
    ("quantity in exponent text", line(quantity="1E+1"), f"{LINE0}.quantity", messages.NOT_A_DECIMAL),
    ("quantity in other digits", line(quantity="١٠"), f"{LINE0}.quantity", messages.NOT_A_DECIMAL),
    ("quantity 5 places", line(quantity="10.00001"), f"{LINE0}.quantity", messages.TOO_MANY_PLACES.format(places=4)),
    (
        "amount too many digits",
        line(discount="12345678901234567"),
        f"{LINE0}.discount",
        messages.TOO_MANY_DIGITS.format(digits=16),
    ),
    ("unit missing", line(unit=DROP), f"{LINE0}.unit", messages.REQUIRED),
    ("unit unknown", line(unit="XX"), f"{LINE0}.unit", messages.UNKNOWN_UNIT.format(unit="XX")),
    ("unitPrice negative", line(unitPrice=-1, amount=None), f"{LINE0}.unitPrice", messages.MUST_NOT_BE_NEGATIVE),
    ("taxPercent one", line(taxPercent=1, taxAmount=None), f"{LINE0}.taxPercent", messages.TAX_RATE_RANGE),
    ("taxPercent negative", line(taxPercent="-0.01", taxAmount=None), f"{LINE0}.taxPercent", messages.TAX_RATE_RANGE),
    (
        "taxPercent 7 places",
        line(taxPercent="0.0600001"),
        f"{LINE0}.taxPercent",
        messages.TOO_MANY_PLACES.format(places=6),
    ),
    (
        "taxAmount off",
        line(taxAmount="2365.73", amount=None),
        f"{LINE0}.taxAmount",
        messages.TAX_MISMATCH.format(tax="2365.73", expected="2365.7148", tolerance="0.01"),
    ),
    (
        "amount off the sum",
        line(amount="41794.31", unitPrice=None),
        f"{LINE0}.amount",
        messages.AMOUNT_MISMATCH.format(amount="41794.31", expected="41794.29", tolerance="0.01"),
    ),
    (
        "amount off quantity x price",
        line(unitPrice="4179.44", amountWithoutTax=None),
        f"{LINE0}.amount",
        messages.PRICE_MISMATCH.format(amount="41794.3", expected="41794.40", tolerance="0.01"),
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_rejects_with_the_field_error_and_stores_nothing(xunlian, change, field, message):
    body = example_statement()
    change(body)
    response = xunlian.post(body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is False
    assert answer["body"] == {}
    assert answer["status"]["returnCode"] == "200"
    assert answer["status"]["serviceCode"] == "VALIDATION_FAILED"
    assert answer["status"]["message"] == str(messages.VALIDATION_FAILED.format(count=1))
    assert answer["status"]["description"] == {field: [str(message)]}
    assert not ReconciliationStatement.objects.exists()
    assert not StatementLine.objects.exists()


def test_repeated_item_no_is_an_error_not_a_merge(xunlian):
    body = example_statement(itemList=[example_line(), example_line()])
    answer = xunlian.post(body).json()
    assert answer["ok"] is False
    assert answer["status"]["description"] == {
        "itemList[1].itemNo": [str(messages.DUPLICATE_ITEM_NO.format(item_no="01", first=0))]
    }
    assert not ReconciliationStatement.objects.exists()


def test_an_inactive_unit_is_refused(xunlian):
    Unit.objects.filter(code="EA").update(is_active=False)
    answer = xunlian.post(example_statement()).json()
    assert answer["ok"] is False
    assert answer["status"]["description"] == {"itemList[0].unit": [str(messages.UNKNOWN_UNIT.format(unit="EA"))]}
    assert not ReconciliationStatement.objects.exists()


def test_a_body_that_is_not_an_object_is_a_validation_error(xunlian):
    answer = xunlian.post([example_statement()]).json()
    assert answer["ok"] is False
    assert answer["status"]["description"] == {"body": [str(messages.NOT_AN_OBJECT)]}


def test_all_errors_are_reported_at_once_under_their_paths(xunlian):
    body = example_statement(reconciliationNo="", supplierCompanyTaxId="abc")
    body["itemList"].append(example_line(itemNo="02", quantity=0, unit="XX"))
    answer = xunlian.post(body).json()
    assert answer["status"]["message"] == str(messages.VALIDATION_FAILED.format(count=4))
    assert sorted(answer["status"]["description"]) == [
        "itemList[1].quantity",
        "itemList[1].unit",
        "reconciliationNo",
        "supplierCompanyTaxId",
    ]


def test_field_errors_are_in_chinese_by_default(xunlian):
    answer = xunlian.post(example_statement(buyCompanyTaxId="91500103MA5UAHBY28"), language=None).json()
    assert answer["status"]["message"] == "对账单数据有误：共 1 处错误。"
    assert answer["status"]["description"] == {"buyCompanyTaxId": ["统一社会信用代码校验位错误（应为 9）。"]}


def test_the_tolerance_is_a_setting(xunlian, settings):
    # The example's tax is 0.0048 from 39428.58 x 0.06, and its amount one cent
    # from amountWithoutTax + taxAmount.
    settings.RECONCILIATION_AMOUNT_TOLERANCE = Decimal("0.001")
    answer = xunlian.post(example_statement()).json()
    assert answer["ok"] is False
    assert sorted(answer["status"]["description"]) == ["itemList[0].amount", "itemList[0].taxAmount"]
    settings.RECONCILIATION_AMOUNT_TOLERANCE = Decimal("0.01")
    assert xunlian.post(example_statement()).json()["ok"] is True


# --- what is accepted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "stored_start", "stored_end"),
    [
        (1557883315047, "1557883315047", "2019-05-15T01:21:55.047000+00:00", "2019-05-15T01:21:55.047000+00:00"),
        ("2019-05-01T08:00:00+08:00", "2019-05-31T23:59:59Z", "2019-05-01T00:00:00+00:00", "2019-05-31T23:59:59+00:00"),
        ("2019-05-01", "2019-05-31", "2019-05-01T00:00:00+00:00", "2019-05-31T23:59:59.999000+00:00"),
    ],
    ids=["epoch milliseconds", "ISO date-times", "ISO dates are whole days"],
)
def test_times_as_epoch_milliseconds_or_iso_8601(xunlian, start, end, stored_start, stored_end):
    assert xunlian.post(example_statement(startTime=start, endTime=end)).json()["ok"] is True
    statement = ReconciliationStatement.objects.get()
    assert statement.start_time.isoformat() == stored_start
    assert statement.end_time.isoformat() == stored_end


@pytest.mark.parametrize(
    ("sent", "stored"), [("cny", "CNY"), ("人民币", "CNY"), ("RMB", "CNY"), ("美元", "USD"), ("", ""), (None, "")]
)
def test_currency_codes_and_names(xunlian, sent, stored):
    assert xunlian.post(example_statement(currency=sent)).json()["ok"] is True
    assert ReconciliationStatement.objects.get().currency == stored


def test_tax_ids_of_15_18_and_20_characters_are_accepted_and_upper_cased(xunlian):
    body = example_statement(buyCompanyTaxId="91500103ma5uahby29", supplierCompanyTaxId="31010666688888812345")
    assert xunlian.post(body).json()["ok"] is True
    statement = ReconciliationStatement.objects.get()
    assert statement.buyer_tax_id == "91500103MA5UAHBY29"
    assert statement.supplier_tax_id == "31010666688888812345"


def test_unit_by_chinese_name_and_units_added_in_the_table(xunlian):
    Unit.objects.create(code="DRUM", name="drum", name_zh="桶")
    body = example_statement(itemList=[example_line(unit="个"), example_line(itemNo="02", unit="drum")])
    assert xunlian.post(body).json()["ok"] is True
    assert list(StatementLine.objects.order_by("position").values_list("unit__code", flat=True)) == ["EA", "DRUM"]


def test_optional_amounts_may_be_absent_and_amounts_are_stored_exactly(xunlian):
    sparse = {
        key: value
        for key, value in example_line(itemNo="02", quantity="2.5", unit="KG").items()
        if key not in {"unitPrice", "amountWithoutTax", "taxPercent", "taxAmount", "amount", "discount"}
    }
    body = example_statement(itemList=[example_line(unitPrice="4179.4300", quantity="10.000000"), sparse])
    assert xunlian.post(body).json()["ok"] is True
    first, second = StatementLine.objects.order_by("position")
    assert first.unit_price == Decimal("4179.43") and first.quantity == Decimal(10)
    assert second.quantity == Decimal("2.5") and second.amount is None and second.tax_percent is None


def test_specification_may_be_blank(xunlian):
    assert xunlian.post(example_statement(itemList=[example_line(specification="")])).json()["ok"] is True


def test_the_uscc_check_character_of_the_example():
    assert uscc_check_character("91500103MA5UAHBY2") == "9"
    assert uscc_check_character("91500103MA5UAHBYI") is None
