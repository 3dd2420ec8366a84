"""Valid boundary values, once stored, are readable everywhere they are shown.

Statements at the edges of the period range, with the longest strings and the
largest amounts, are stored through the API; then every read endpoint and admin
page that shows them answers 200, in the time zones furthest east and west."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from apps.core import bounds
from apps.core.bounds import field_bounds
from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit
from tests.reconciliation.conftest import example_statement

MAX_AMOUNT = str(field_bounds(StatementLine, "quantity").largest_decimal())  # 16 digits on PostgreSQL
# The lines' totals are bounded like one amount (a match stores them): with line
# C's net 1 and gross 1.9999, line A's amounts leave the statement at the largest
# total a column holds.
A_AMOUNT = str(Decimal(MAX_AMOUNT) - 2)
LONGEST_NAME = "有" * 200


def longest_line(item_no: str, **amounts: Any) -> dict[str, Any]:
    return {
        "itemNo": item_no.ljust(100, "0"),
        "itemName": LONGEST_NAME,
        "specification": "S" * 200,
        "productNo": "P" * 100,
        "unit": "U" * 16,
        "buyerItemName": LONGEST_NAME,
        "buyerSpecification": "\t规格\n" * 50,
        **amounts,
    }


# (number, startTime, endTime): the widest period, the last instants, the first instants.
PERIODS = [
    ("EDGE-ALL", "0001-01-02T00:00:00Z", "9998-12-30T23:59:59.999999Z"),
    ("EDGE-LAST", "9998-12-30T00:00:00-23:59", "9998-12-30T23:59:59.999999Z"),
    ("EDGE-FIRST", "0001-01-02T23:59:00+23:59", "0001-01-02T00:00:00.000001Z"),
]


@pytest.fixture
def boundary_statements(xunlian: Any) -> list[ReconciliationStatement]:
    Unit.objects.create(code="U" * 16, name="a unit with the longest code")
    for number, start, end in PERIODS:
        body = example_statement(
            reconciliationNo=number.ljust(100, "9"),
            startTime=start,
            endTime=end,
            buyCompanyName=LONGEST_NAME,
            supplierCompanyName="供" * 200,
            itemList=[
                longest_line(
                    "A",
                    quantity=MAX_AMOUNT,
                    amountWithoutTax=A_AMOUNT,
                    taxPercent=0,
                    taxAmount=0,
                    amount=A_AMOUNT,
                    discount="-" + MAX_AMOUNT,
                ),
                longest_line("B", quantity=MAX_AMOUNT, discount=MAX_AMOUNT),
                longest_line("C", quantity="0.0001", taxPercent="0.999999", amountWithoutTax="1", taxAmount="0.9999"),
            ],
        )
        answer = xunlian.post(body).json()
        assert answer["ok"] is True, answer
    statements = list(ReconciliationStatement.objects.order_by("reconciliation_no"))
    assert [s.start_time for s in statements] == [
        bounds.DATETIME_MIN,
        bounds.DATETIME_MIN,
        bounds.DATETIME_MAX.replace(hour=23, minute=59, second=0, microsecond=0),
    ]
    return statements


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "Etc/GMT+12"])
def time_zone(request: Any, settings: Any) -> str:
    settings.TIME_ZONE = request.param
    return request.param


def test_the_read_api_lists_and_shows_the_boundary_statements(boundary_statements, admin_client, time_zone):
    listed = admin_client.get("/api/v1/reconciliations/", {"ordering": "end_time"})
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert len(rows) == 3
    assert {row["start_time"][:4] for row in rows} <= {"0001", "9998"}
    first = next(row for row in rows if row["reconciliation_no"].startswith("EDGE-ALL"))
    assert first["lines"][0]["quantity"] == MAX_AMOUNT
    assert Decimal(first["total_amount"]) == Decimal(A_AMOUNT)
    for params in (
        {"period_from": "0001-01-02T00:00:00Z"},
        {"period_to": "9998-12-30T23:59:59.999999Z"},
        {"period_from": "9998-12-30T23:59:59Z", "ordering": "-start_time"},
        {"supplier": "供" * 200},
        {"product_no": "P" * 100},
    ):
        response = admin_client.get("/api/v1/reconciliations/", params)
        assert response.status_code == 200, (params, response.content[:300])
        assert response.json()["count"] >= 1
    for statement in boundary_statements:
        detail = admin_client.get(f"/api/v1/reconciliations/{statement.public_id}/")
        assert detail.status_code == 200
        assert detail.json()["supplier_name"] == "供" * 200


def test_every_admin_page_shows_the_boundary_statements(boundary_statements, admin_client, time_zone):
    changelist = reverse("admin:reconciliation_reconciliationstatement_changelist")
    pages = [
        changelist,
        changelist + "?q=" + "P" * 100,
        changelist + "?start_time__year=1",
        changelist + "?start_time__year=1&start_time__month=1",
        changelist + "?start_time__year=1&start_time__month=1&start_time__day=2",
        changelist + "?start_time__year=9998",
        changelist + "?start_time__year=9998&start_time__month=12",
        changelist + "?start_time__year=9998&start_time__month=12&start_time__day=31",
        changelist + "?o=5",
    ]
    for statement in boundary_statements:
        pages += [
            reverse("admin:reconciliation_reconciliationstatement_change", args=[statement.pk]),
            reverse("admin:reconciliation_reconciliationstatement_history", args=[statement.pk]),
            reverse("admin:reconciliation_reconciliationstatement_dispute", args=[statement.pk]),
            reverse("admin:reconciliation_reconciliationstatement_export", args=[statement.pk, "xlsx"]),
            reverse("admin:reconciliation_reconciliationstatement_export", args=[statement.pk, "csv"]),
        ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, (page, response.status_code)
    shown = admin_client.get(changelist).content.decode()
    # The period in the one localised date format (English: "1 Jan 0001").
    assert " Jan 0001" in shown and " Dec 9998" in shown


def test_a_dispute_reason_at_its_length_is_stored_and_one_over_is_refused(boundary_statements, admin_client):
    statement = boundary_statements[0]
    dispute = reverse("admin:reconciliation_reconciliationstatement_dispute", args=[statement.pk])
    for refused in ("x" * 2001, "bell\x07", "nul\x00"):
        page = admin_client.post(dispute, {"reason": refused})
        assert page.status_code == 200
        assert page.context["form"].errors["reason"]
        statement.refresh_from_db()
        assert statement.status == ReconciliationStatement.Status.RECEIVED
    assert admin_client.post(dispute, {"reason": "说明" * 1000}).status_code == 302
    statement.refresh_from_db()
    assert (statement.status, len(statement.dispute_reason)) == ("disputed", 2000)
    history = reverse("admin:reconciliation_reconciliationstatement_history", args=[statement.pk])
    assert admin_client.get(history).status_code == 200
    assert admin_client.get(f"/api/v1/reconciliations/{statement.public_id}/").json()["dispute_reason"] == "说明" * 1000
