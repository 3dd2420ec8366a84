"""Ageing buckets, exact on every edge, through the API, the admin page and its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from tests.ap_balance.factories import rows

AGEING_URL = "/api/v1/ap-balances/ageing/"
ADMIN_AGEING_URL = "/admin/ap_balance/snapshot/ageing/"
AS_OF = dt.date(2024, 6, 30)
# days past due -> amount (powers of two, so every sum names its lines)
EDGES = {-1: 1, 0: 2, 1: 4, 30: 8, 31: 16, 60: 32, 61: 64, 90: 128, 91: 256}


def edge_rows(as_of: dt.date, dealer: str = "D-1", currency: str = "EUR") -> list[dict]:
    body = []
    for days, amount in EDGES.items():
        due = as_of - dt.timedelta(days=days)
        body += rows(1, sapDealerCode=dealer, currency=currency, openBalance=amount, dueDate=due.strftime("%Y%m%d"))
    return body


@pytest.fixture
def edge_snapshot(post_report):
    body = edge_rows(AS_OF)
    body += rows(1, sapDealerCode="D-1", openBalance=100000, dueDate="20200101", clearingIdentification="Y")
    body += rows(2, sapDealerCode="D-2", currency="USD", openBalance=10, dueDate="2024-01-01", companyCode="2000")
    body += rows(1, sapDealerCode="D-2", currency="EUR", openBalance=0.5, dueDate="2024-07-01", companyCode="2000")
    response = post_report(body)
    assert response.status_code == 200, response.content


def test_ageing_buckets_are_exact_on_every_edge(client_for_reads, edge_snapshot):
    response = client_for_reads.get(AGEING_URL, {"asOf": "2024-06-30"})
    assert response.status_code == 200, response.content
    payload = response.json()
    assert payload["asOf"] == "2024-06-30" and payload["count"] == 3
    d1 = payload["results"][0]
    assert (d1["sapDealerCode"], d1["currency"]) == ("D-1", "EUR")
    assert d1 == {
        "sapDealerCode": "D-1",
        "currency": "EUR",
        "notYetDue": "3.0000",  # -1 and 0 days: not yet due
        "days1To30": "12.0000",  # 1 and 30
        "days31To60": "48.0000",  # 31 and 60
        "days61To90": "192.0000",  # 61 and 90
        "over90": "256.0000",  # 91; the cleared line (Y) is not open
        "total": "511.0000",
    }
    assert [(r["sapDealerCode"], r["currency"]) for r in payload["results"][1:]] == [("D-2", "EUR"), ("D-2", "USD")]
    totals = {row["currency"]: row for row in payload["totals"]}
    assert totals["EUR"]["total"] == "511.5000" and totals["EUR"]["notYetDue"] == "3.5000"
    assert totals["USD"]["over90"] == "20.0000" and totals["USD"]["total"] == "20.0000"


def test_ageing_filters_by_dealer_company_code_and_currency(client_for_reads, edge_snapshot):
    only_d2 = client_for_reads.get(AGEING_URL, {"asOf": "2024-06-30", "sapDealerCode": "D-2"}).json()
    assert [r["currency"] for r in only_d2["results"]] == ["EUR", "USD"]
    company = client_for_reads.get(AGEING_URL, {"asOf": "2024-06-30", "companyCode": "2000", "currency": "usd"}).json()
    assert company["count"] == 1 and company["totals"] == [
        {**company["totals"][0], "currency": "USD", "total": "20.0000"}
    ]


def test_ageing_moves_with_the_as_of_date(client_for_reads, edge_snapshot):
    later = client_for_reads.get(AGEING_URL, {"asOf": "2024-07-01", "sapDealerCode": "D-1"}).json()["results"][0]
    # one day later every line is one day older: -1 -> 0, 0 -> 1, 30 -> 31, 60 -> 61, 90 -> 91
    assert later["notYetDue"] == "1.0000" and later["days1To30"] == "6.0000"
    assert later["days31To60"] == "24.0000" and later["days61To90"] == "96.0000" and later["over90"] == "384.0000"


def test_ageing_defaults_to_the_current_snapshot_as_of_its_date(client_for_reads, post_report):
    today = timezone.localdate()
    post_report(edge_rows(today))
    payload = client_for_reads.get(AGEING_URL).json()
    assert payload["asOf"] == today.isoformat()
    row = payload["results"][0]
    assert (row["notYetDue"], row["days1To30"], row["over90"]) == ("3.0000", "12.0000", "256.0000")


def test_ageing_of_an_older_snapshot(client_for_reads, post_report, edge_snapshot):
    from apps.ap_balance.models import Snapshot

    first = Snapshot.objects.get()
    post_report(rows(1, sapDealerCode="NEW"))
    old = client_for_reads.get(AGEING_URL, {"snapshot": first.pk, "asOf": "2024-06-30"}).json()
    assert old["snapshot"] == first.pk and old["count"] == 3
    current = client_for_reads.get(AGEING_URL, {"asOf": "2024-06-30"}).json()
    assert [r["sapDealerCode"] for r in current["results"]] == ["NEW"]


def test_ageing_bad_parameters(client_for_reads, edge_snapshot):
    assert client_for_reads.get(AGEING_URL, {"asOf": "30.06.2024"}).status_code == 400
    assert client_for_reads.get(AGEING_URL, {"asOf": "0001-01-01"}).status_code == 400
    assert client_for_reads.get(AGEING_URL, {"snapshot": 999999}).status_code == 404


def test_ageing_without_any_snapshot_is_empty(client_for_reads):
    payload = client_for_reads.get(AGEING_URL).json()
    assert payload["snapshot"] is None and payload["results"] == [] and payload["totals"] == []


def test_ageing_query_count_does_not_grow_with_page_size(client_for_reads, post_report, django_assert_max_num_queries):
    post_report([row for n in range(40) for row in rows(1, sapDealerCode=f"D-{n:03d}")])
    client_for_reads.get(AGEING_URL)
    with django_assert_max_num_queries(6):
        assert len(client_for_reads.get(AGEING_URL, {"page_size": 40}).json()["results"]) == 40


# --- the admin report page -----------------------------------------------------


def test_admin_ageing_page_renders_the_buckets_and_totals(admin_client, edge_snapshot):
    response = admin_client.get(ADMIN_AGEING_URL, {"as_of": "2024-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "D-1" in html and "D-2" in html and '<span class="money">511.00</span>' in html
    assert response.context["totals"] == [
        [
            "Total",
            "EUR",
            Decimal("3.5"),
            Decimal("12"),
            Decimal("48"),
            Decimal("192"),
            Decimal("256"),
            Decimal("511.5"),
        ],
        ["Total", "USD", Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0"), Decimal("20"), Decimal("20")],
    ]
    assert "export=csv" in html and "export=xlsx" in html


def test_admin_ageing_page_filters_by_dealer(admin_client, edge_snapshot):
    response = admin_client.get(ADMIN_AGEING_URL, {"as_of": "2024-06-30", "dealer": "D-2", "currency": "USD"})
    assert [row[:2] for row in response.context["rows"]] == [["D-2", "USD"]]


def test_admin_ageing_page_rejects_an_impossible_as_of_date(admin_client, edge_snapshot):
    response = admin_client.get(ADMIN_AGEING_URL, {"as_of": "0001-01-01"})
    assert response.status_code == 200 and response.context["form"].errors["as_of"]


def test_admin_ageing_page_without_snapshots_says_so(admin_client):
    response = admin_client.get(ADMIN_AGEING_URL)
    assert response.status_code == 200 and b"has been received yet" in response.content


def test_admin_ageing_csv_export_has_the_right_totals(admin_client, edge_snapshot):
    response = admin_client.get(ADMIN_AGEING_URL, {"as_of": "2024-06-30", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[1] == [
        "Dealer",
        "Currency",
        "Not yet due",
        "1-30 days",
        "31-60 days",
        "61-90 days",
        "Over 90 days",
        "Total",
    ]
    totals = {row[1]: row for row in table if row[0] == "Total"}
    assert totals["EUR"][2:] == ["3.5000", "12.0000", "48.0000", "192.0000", "256.0000", "511.5000"]
    assert totals["USD"][-1] == "20.0000"


def test_admin_ageing_xlsx_export_has_the_right_totals(admin_client, edge_snapshot):
    response = admin_client.get(ADMIN_AGEING_URL, {"as_of": "2024-06-30", "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(min_row=3, values_only=True))
    d1 = next(row for row in values if row[0] == "D-1")
    assert [Decimal(str(v)) for v in d1[2:]] == [3, 12, 48, 192, 256, 511]
    eur_total = next(row for row in values if row[0] == "Total" and row[1] == "EUR")
    assert Decimal(str(eur_total[-1])) == Decimal("511.5")


def test_admin_ageing_needs_the_view_permission(client, django_user_model, edge_snapshot):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(ADMIN_AGEING_URL).status_code == 403


@pytest.mark.parametrize("size", ["0", "1001", "x"])
def test_a_bad_page_size_is_a_400_even_before_the_first_snapshot(client_for_reads, size):
    response = client_for_reads.get(AGEING_URL, {"pageSize": size})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["pageSize"]
