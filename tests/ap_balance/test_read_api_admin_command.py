"""The AP read API (lines, snapshots, compare), the admin pages, the commands and the demo data."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ap_balance.demo import load_demo_data
from apps.ap_balance.models import Snapshot, SnapshotLine
from tests.ap_balance.conftest import DATA
from tests.ap_balance.factories import rows

LINES_URL = "/api/v1/ap-balances/"
SNAPSHOTS_URL = "/api/v1/ap-balances/snapshots/"
COMPARE_URL = "/api/v1/ap-balances/compare/"


@pytest.fixture
def two_snapshots(post_report, sample_rows):
    post_report(sample_rows)
    second = [
        dict(sample_rows[0], openBalance=300),  # changed
        sample_rows[1],  # unchanged
        *rows(2, sapDealerCode="0017001245", dueDate="20241231"),  # added
    ]  # sample_rows[2] cleared (gone)
    post_report(second)
    first, current = Snapshot.objects.order_by("pk")
    return first, current


def test_lines_default_to_the_current_snapshot(client_for_reads, two_snapshots):
    first, current = two_snapshots
    response = client_for_reads.get(LINES_URL)
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert {row["snapshot"] for row in response.json()["results"]} == {current.pk}
    older = client_for_reads.get(LINES_URL, {"snapshot": first.pk}).json()
    assert older["count"] == 3 and {row["snapshot"] for row in older["results"]} == {first.pk}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sapDealerCode": "0017001245"}, 4),
        ({"companyCode": "1000"}, 4),
        ({"currency": "eur"}, 4),
        ({"clearingIdentification": "N"}, 4),
        ({"dueDate_before": "2024-03-31"}, 1),
        ({"dueDate_after": "2024-06-30", "dueDate_before": "2024-12-31"}, 3),
    ],
)
def test_lines_filters(client_for_reads, two_snapshots, params, expected):
    response = client_for_reads.get(LINES_URL, params)
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_lines_filter_the_clearing_flag_of_an_older_snapshot(client_for_reads, two_snapshots):
    first, _current = two_snapshots
    response = client_for_reads.get(LINES_URL, {"snapshot": first.pk, "clearingIdentification": "Y"}).json()
    assert [row["invoinceId"] for row in response["results"]] == ["WR-2023-0917"]
    assert response["results"][0]["clearAmount"] == "1999.9900"


def test_lines_order_and_show_exact_amounts(client_for_reads, two_snapshots):
    body = client_for_reads.get(LINES_URL, {"ordering": "-open_balance", "page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    assert body["results"][0]["openBalance"] == "300.0000"
    line = client_for_reads.get(f"{LINES_URL}{body['results'][0]['id']}/").json()
    assert line["invoinceId"] == "WR-2024-0001" and line["amountLC"] == "350.0000"


def test_lines_query_count_does_not_grow_with_page_size(client_for_reads, post_report, django_assert_max_num_queries):
    post_report(rows(60))
    client_for_reads.get(LINES_URL)
    with CaptureQueriesContext(connection) as small:
        client_for_reads.get(LINES_URL, {"page_size": 5})
    with CaptureQueriesContext(connection) as large:
        assert len(client_for_reads.get(LINES_URL, {"page_size": 60}).json()["results"]) == 60
    assert len(small) == len(large)
    with django_assert_max_num_queries(4):
        client_for_reads.get(LINES_URL, {"page_size": 60})


def test_snapshots_list_history_with_totals(client_for_reads, two_snapshots, django_assert_max_num_queries):
    first, current = two_snapshots
    with django_assert_max_num_queries(4):
        body = client_for_reads.get(SNAPSHOTS_URL).json()
    assert [(s["id"], s["isCurrent"], s["rowCount"]) for s in body["results"]] == [
        (current.pk, True, 4),
        (first.pk, False, 3),
    ]
    assert body["results"][1]["totals"]["USD"] == {"rows": 1, "openBalance": "1999.9900"}
    assert body["results"][0]["client"] == "SAP PP" and body["results"][0]["traceId"]
    only_current = client_for_reads.get(SNAPSHOTS_URL, {"is_current": "true"}).json()
    assert [s["id"] for s in only_current["results"]] == [current.pk]


def test_compare_lists_added_cleared_and_changed(client_for_reads, two_snapshots):
    first, current = two_snapshots
    response = client_for_reads.get(COMPARE_URL, {"before": first.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["before"] == first.pk and body["after"] == current.pk
    assert body["counts"] == {"added": 2, "cleared": 1, "changed": 1} and body["count"] == 4
    by_id = {row["invoinceId"]: row for row in body["results"]}
    assert by_id["WR-2024-0001"]["change"] == "changed"
    assert (by_id["WR-2024-0001"]["openBalanceBefore"], by_id["WR-2024-0001"]["openBalanceAfter"]) == (
        "350.0000",
        "300.0000",
    )
    gone = by_id["WR-2023-0917"]
    assert gone["change"] == "cleared" and gone["openBalanceAfter"] is None and gone["clearingBefore"] == "Y"
    assert sorted(row["change"] for row in body["results"]) == ["added", "added", "changed", "cleared"]


def test_compare_for_one_dealer(client_for_reads, two_snapshots):
    first, _current = two_snapshots
    body = client_for_reads.get(COMPARE_URL, {"before": first.pk, "sapDealerCode": "0017009999"}).json()
    assert body["counts"] == {"added": 0, "cleared": 1, "changed": 0}
    assert [row["invoinceId"] for row in body["results"]] == ["WR-2023-0917"]


def test_compare_needs_a_known_snapshot(client_for_reads, two_snapshots):
    assert client_for_reads.get(COMPARE_URL).status_code == 400
    assert client_for_reads.get(COMPARE_URL, {"before": 999999}).status_code == 404


def test_compare_query_count_does_not_grow_with_page_size(client_for_reads, post_report, django_assert_max_num_queries):
    post_report(rows(5))
    post_report(rows(40))
    first = Snapshot.objects.order_by("pk").first()
    client_for_reads.get(COMPARE_URL, {"before": first.pk})
    with django_assert_max_num_queries(10):
        body = client_for_reads.get(COMPARE_URL, {"before": first.pk, "page_size": 45}).json()
    assert len(body["results"]) == 45


def test_anonymous_reads_are_refused(client, db):
    for url in (LINES_URL, SNAPSHOTS_URL, COMPARE_URL, "/api/v1/ap-balances/ageing/"):
        assert client.get(url).status_code in (401, 403)


# --- admin -----------------------------------------------------------------------


def test_admin_lists_snapshots_and_lines_read_only(admin_client, two_snapshots):
    first, current = two_snapshots
    listing = admin_client.get("/admin/ap_balance/snapshot/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "/admin/ap_balance/snapshot/ageing/" in html and "/admin/ap_balance/snapshot/compare/" in html
    assert "/admin/ap_balance/snapshot/add/" not in html
    lines = admin_client.get("/admin/ap_balance/snapshotline/", {"q": "WR-2024-0002", "snapshot__id__exact": first.pk})
    assert lines.status_code == 200
    assert "WR-2024-0002" in lines.content.decode() and "WR-2024-0001" not in lines.content.decode()
    line = SnapshotLine.objects.filter(snapshot=current).first()
    change = admin_client.get(f"/admin/ap_balance/snapshotline/{line.pk}/change/")
    assert change.status_code == 200 and b'name="_save"' not in change.content


def _export(admin_client, file_format: str, query: str = ""):
    return admin_client.get(f"/admin/ap_balance/snapshotline/export/{file_format}/{query}")


def test_admin_exports_lines_as_csv_and_xlsx(admin_client, two_snapshots):
    _first, current = two_snapshots
    response = _export(admin_client, "csv", f"?snapshot__id__exact={current.pk}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(content)))
    assert len(table) == 4 and "WR-2024-0001" in {row["Invoice number"] for row in table}
    response = _export(admin_client, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 7


def test_admin_compare_page(admin_client, two_snapshots):
    first, _current = two_snapshots
    response = admin_client.get("/admin/ap_balance/snapshot/compare/", {"before": first.pk})
    assert response.status_code == 200
    assert response.context["counts"] == {"added": 2, "cleared": 1, "changed": 1}
    html = response.content.decode()
    assert 'class="change-cleared"' in html and "WR-2023-0917" in html
    # Codes as words: the kind of change and the clearing marks (Y: cleared (BSAK)).
    row = html[html.index('class="change-cleared"') :]
    row = row[: row.index("</tr>")]
    assert "<td>cleared</td>" in row and "cleared (BSAK)" in row


# --- commands and demo -------------------------------------------------------------


def test_import_command_makes_a_snapshot_and_reports_counts(db, tmp_path, capsys):
    call_command("import_ap_balance", str(DATA / "ap-open-balance.json"))
    assert Snapshot.objects.get().row_count == 3
    smaller = tmp_path / "two.json"
    smaller.write_text(json.dumps(json.loads((DATA / "ap-open-balance.json").read_text())[:2]))
    call_command("import_ap_balance", str(smaller))
    assert "0 added, 1 cleared, 0 changed" in capsys.readouterr().out
    assert Snapshot.objects.count() == 2 and Snapshot.objects.get(is_current=True).row_count == 2


def test_import_command_rejects_an_invalid_file_and_changes_nothing(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text((DATA / "seed_mock_example.json").read_text())
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_ap_balance", str(bad))
    assert not Snapshot.objects.exists()


def test_prune_keeps_the_newest_and_the_current(db, capsys):
    for _ in range(4):
        call_command("import_ap_balance", str(DATA / "ap-open-balance.json"))
    newest = list(Snapshot.objects.order_by("-pk").values_list("pk", flat=True))
    call_command("prune_ap_snapshots")
    assert Snapshot.objects.count() == 4
    call_command("prune_ap_snapshots", "--keep", "2")
    assert list(Snapshot.objects.order_by("-pk").values_list("pk", flat=True)) == newest[:2]
    assert SnapshotLine.objects.count() == 6 and Snapshot.objects.get(is_current=True).pk == newest[0]
    assert "Deleted 2 snapshot(s)" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("prune_ap_snapshots", "--keep", "0")


def test_demo_data_is_idempotent(db):
    assert "3 lines" in load_demo_data()
    assert load_demo_data() == "AP snapshots already there"
    assert Snapshot.objects.get().is_current and SnapshotLine.objects.count() == 3


@pytest.mark.parametrize("value", ["99999999999999999999", "-1.7e64", "abc"])
def test_a_nonsense_snapshot_id_is_400_not_500(client_for_reads, two_snapshots, value):
    assert client_for_reads.get(LINES_URL, {"snapshot": value}).status_code == 400
    assert client_for_reads.get(COMPARE_URL, {"before": value}).status_code == 400
    assert client_for_reads.get("/api/v1/ap-balances/ageing/", {"snapshot": value}).status_code == 400


def test_compare_pages_through_every_difference_once(client_for_reads, two_snapshots):
    first, _current = two_snapshots
    seen = []
    url = f"{COMPARE_URL}?before={first.pk}&page_size=3"
    while url:
        body = client_for_reads.get(url).json()
        seen += [(row["sapDealerCode"], row["invoinceId"], row["change"]) for row in body["results"]]
        url = body["next"]
    assert len(seen) == 4 and len(set(seen)) == 4
    assert seen == sorted(seen)  # by dealer, then invoinceId
