"""GET /api/v1/reconciliations/: statements with their lines, filters, ordering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.reconciliation.models import ReconciliationStatement
from tests.reconciliation.factories import statement_with_lines

URL = "/api/v1/reconciliations/"


@pytest.fixture
def api(client, gateway_token):
    def get(url: str = URL, **params):
        return client.get(url, params, HTTP_AUTHORIZATION=f"Token {gateway_token}")

    return get


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reconciliation_no"] for row in response.json()["results"]]


def test_list_has_lines_and_totals(api):
    statement = statement_with_lines(2, reconciliation_no="ST-A")
    row = api().json()["results"][0]
    assert row["id"] == str(statement.public_id)
    assert row["line_count"] == 2
    assert row["total_amount"] == "83588.6000"
    assert [line["item_no"] for line in row["lines"]] == ["01", "02"]
    assert row["lines"][0]["unit"] == "EA"
    assert row["lines"][0]["unit_price"] == "4179.4300"


def test_query_count_does_not_grow_with_the_page(api, django_assert_num_queries):
    statement_with_lines(3)
    api()  # the token's first use records last_used_at once
    with django_assert_num_queries(4):  # token, count, statements, lines
        assert len(api().json()["results"]) == 1
    for _ in range(9):
        statement_with_lines(3)
    with django_assert_num_queries(4):
        assert len(api().json()["results"]) == 10


def test_filters(api):
    statement_with_lines(1, reconciliation_no="A", supplier_name="兰馨谷开票测试", supplier_tax_id="310106666888888")
    statement_with_lines(
        1,
        reconciliation_no="B",
        supplier_name="Other supplier",
        buyer_name="Buyer Two",
        buyer_tax_id="91310000MA1FL0000X",
        status=ReconciliationStatement.Status.CONFIRMED,
        start_time=datetime(2026, 9, 1, tzinfo=UTC),
        end_time=datetime(2026, 9, 30, tzinfo=UTC),
    )
    assert numbers(api(supplier="兰馨谷")) == ["A"]
    assert numbers(api(supplier="310106666888888")) == ["A"]
    assert numbers(api(supplier_tax_id="310106666888888")) == ["A"]
    assert numbers(api(buyer="buyer two")) == ["B"]
    assert numbers(api(buyer_tax_id="91310000MA1FL0000X")) == ["B"]
    assert numbers(api(status="confirmed")) == ["B"]
    assert numbers(api(period_from="2026-10-01T00:00:00Z")) == ["A"]
    assert numbers(api(period_to="2026-09-30T00:00:00Z")) == ["B"]
    assert numbers(api(reconciliation_no="B")) == ["B"]
    assert api(status="nonsense").status_code == 400


def test_filter_by_product_number(api):
    statement = statement_with_lines(2, reconciliation_no="WITH")
    statement_with_lines(1, reconciliation_no="WITHOUT")
    product_no = statement.lines.first().product_no
    assert numbers(api(product_no=product_no)) == ["WITH"]


def test_ordering(api):
    for number in ["B", "C", "A"]:
        statement_with_lines(1, reconciliation_no=number)
    assert numbers(api()) == ["A", "C", "B"]  # newest first
    assert numbers(api(ordering="reconciliation_no")) == ["A", "B", "C"]
    assert numbers(api(ordering="-reconciliation_no")) == ["C", "B", "A"]


def test_detail_by_uuid_and_404(api):
    statement = statement_with_lines(1)
    assert api(f"{URL}{statement.public_id}/").json()["reconciliation_no"] == statement.reconciliation_no
    assert api(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404


def test_people_need_the_view_permission(client, django_user_model):
    from django.contrib.auth.models import Group

    statement_with_lines(1)
    person = django_user_model.objects.create_user("reader", password="x")
    client.force_login(person)
    assert client.get(URL).status_code == 403
    person.groups.add(Group.objects.get(name="Auditor"))
    assert client.get(URL).status_code == 200


def test_api_clients_may_not_write(client, gateway_token):
    response = client.post(URL, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {gateway_token}")
    assert response.status_code in (403, 405)


def test_period_filter_with_an_unusual_offset_is_compared_in_utc(api):
    statement_with_lines(1, reconciliation_no="A")
    # 2026-10-02T00:00+23:12 is 2026-10-01T00:48Z, inside A's period.
    assert numbers(api(period_from="2026-10-02T00:00:00+23:12")) == ["A"]
    assert numbers(api(period_to="2026-10-02T00:00:00+23:12")) == ["A"]
    assert numbers(api(period_to="2026-10-01T00:00:00+23:12")) == []


def test_a_malformed_id_is_a_json_404(api):
    response = api(f"{URL}not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
