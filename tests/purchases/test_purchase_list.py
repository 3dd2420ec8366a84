"""GET /v2/purchases: every list parameter, MetaData at the first, a middle and
the last page, errors naming the accepted values, and a query count that does
not grow with the page size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.purchases.models import BankAccount, PaymentMethod, Project, Purchase, Supplier
from apps.purchases.services import LineInput, PaymentInput, PurchaseInput, purchase_create

pytestmark = pytest.mark.django_db
LIST = "/v2/purchases"


def make(number, *, supplier="08C", ref="", issued=None, due=None, rate="10", paid=None, project=None):
    today = timezone.localdate()
    account = BankAccount.objects.first()
    method = PaymentMethod.objects.first()
    return purchase_create(
        PurchaseInput(
            number=number,
            supplier_code=supplier,
            supplier_reference=ref,
            issued_date=issued or today,
            due_date=due or today + dt.timedelta(days=30),
            project_number=project,
            lines=[LineInput(description="x", quantity=Decimal(1), rate=Decimal(rate), nominal_code=5000)]
            if rate
            else [],
            payments=[PaymentInput(method_id=method.pk, account_id=account.pk, date=today, amount=Decimal(paid))]
            if paid
            else [],
        )
    )


@pytest.fixture
def seven(kf):
    """Seven purchases with distinct values for every sort and filter."""
    Supplier.objects.create(code="AAA", name="Alpha Ltd")
    Supplier.objects.create(code="ZZZ", name="Zulu plc")
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=5)
    long_ago = today - dt.timedelta(days=400)
    make(1, supplier="ZZZ", ref="r5", rate="50", issued=long_ago, due=today + dt.timedelta(days=1))  # Unpaid
    make(2, supplier="AAA", ref="r3", rate="20", paid="20", issued=long_ago)  # Paid
    make(3, supplier="08C", ref="r1", rate="70", paid="80", issued=last_month, project=1)  # Overpaid
    make(4, supplier="AAA", ref="r2", rate="30", issued=long_ago, due=today - dt.timedelta(days=3))  # Overdue
    make(5, supplier="ZZZ", ref="r4", rate="", issued=last_month, project=2)  # NA
    make(6, supplier="08C", ref="r6", rate="60", project=1)  # Unpaid, this month
    make(7, supplier="AAA", ref="r7", rate="40", paid="10", due=today - dt.timedelta(days=1))  # Overdue
    return kf


def numbers(response):
    assert response.status_code == 200, response.content
    return [row["Number"] for row in response.json()["Data"]]


def test_default_is_number_ascending_page_one_of_fifty(seven):
    body = seven.get(LIST).json()
    assert [r["Number"] for r in body["Data"]] == [1, 2, 3, 4, 5, 6, 7]
    row = body["Data"][0]
    assert row["LineItems"] is None and row["PaymentLines"] is None
    assert "StockManagementApplicable" not in row
    assert (row["PreviousNumber"], row["NextNumber"]) == (0, 2)
    assert body["MetaData"]["TotalRecords"] == 7


@pytest.mark.parametrize(
    ("sortby", "expected"),
    [
        ("Number", [1, 2, 3, 4, 5, 6, 7]),
        ("SupplierReference", [3, 4, 2, 5, 1, 6, 7]),
        ("SupplierName", [2, 4, 7, 3, 6, 1, 5]),
        ("GrossAmount", [5, 2, 4, 7, 1, 6, 3]),
        ("NetAmount", [5, 2, 4, 7, 1, 6, 3]),
        ("Status", [5, 4, 7, 3, 2, 1, 6]),
        ("2", [2, 4, 7, 3, 6, 1, 5]),  # the Swagger enum number of SupplierName
        ("suppliername", [2, 4, 7, 3, 6, 1, 5]),
        ("DueAmount", [3, 2, 5, 4, 7, 1, 6]),  # gross - paid: -10, 0, 0, 30, 30, 50, 60
        ("9", [3, 2, 5, 4, 7, 1, 6]),
        ("Type", [1, 2, 3, 4, 5, 6, 7]),  # all Purchase: then by number
        ("VAT", [1, 2, 3, 4, 5, 6, 7]),  # all 0: then by number
    ],
)
def test_sortby(seven, sortby, expected):
    assert numbers(seven.get(f"{LIST}?sortby={sortby}")) == expected


def test_sortby_dates(seven):
    issued = numbers(seven.get(f"{LIST}?sortby=PurchaseDate"))
    assert issued[:3] == [1, 2, 4] and set(issued[3:5]) == {3, 5}
    due = numbers(seven.get(f"{LIST}?sortby=PaymentDueDate"))
    assert due[:2] == [4, 7]
    paid = numbers(seven.get(f"{LIST}?sortby=PaidDate&filterby=Paid"))
    assert paid == [2]


def test_order_desc(seven):
    assert numbers(seven.get(f"{LIST}?order=Desc")) == [7, 6, 5, 4, 3, 2, 1]
    assert numbers(seven.get(f"{LIST}?sortby=GrossAmount&order=desc")) == [3, 6, 1, 7, 4, 2, 5]


@pytest.mark.parametrize(
    ("filterby", "expected"),
    [
        ("All", [1, 2, 3, 4, 5, 6, 7]),
        ("", [1, 2, 3, 4, 5, 6, 7]),
        ("Unpaid", [1, 6]),
        ("Overdue", [4, 7]),
        ("Overpaid", [3]),
        ("Paid", [2]),
        ("ThisMonth", None),
        ("LastMonth", [3, 5]),
        ("unpaid", [1, 6]),
        ("PartPaid", [7]),
        ("2", [7]),
        ("OverduePartPaid", [7]),
        ("NotFullyPaid", [1, 4, 6, 7]),
        ("7", [1, 4, 6, 7]),
        ("NA", [5]),
    ],
)
def test_filterby(seven, filterby, expected):
    got = numbers(seven.get(f"{LIST}?filterby={filterby}"))
    if filterby == "ThisMonth":
        assert 6 in got and 7 in got and 1 not in got and 3 not in got
    else:
        assert got == expected


def test_sortby_project_and_vat_and_type(seven):
    by_project = numbers(seven.get(f"{LIST}?sortby=Project"))
    assert by_project[:4] == [1, 2, 4, 7] and set(by_project[4:]) == {3, 5, 6}
    assert numbers(seven.get(f"{LIST}?sortby=11&order=desc"))[-4:] == [7, 4, 2, 1]
    for number, vat_level, kind in ((8, 20, "Expense"), (9, 5, "Purchase")):
        line = {"Description": "x", "Quantity": 1, "Rate": 100, "VATLevel": vat_level, "NominalCode": 5000}
        body = {"Number": number, "SupplierCode": "08C", "Type": kind, "LineItems": [line]}
        assert seven.post(LIST, body).status_code == 201
    assert numbers(seven.get(f"{LIST}?sortby=VAT&order=desc"))[:2] == [8, 9]
    assert numbers(seven.get(f"{LIST}?sortby=Type"))[0] == 8  # Expense before Purchase


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("searchtext=r5", [1]),
        ("searchText=ALPHA", [2, 4, 7]),
        ("searchtext=3", [2, 3]),  # reference r3, number 3
        ("searchtext=30", []),
        ("searchtext=30&dosearchwithdueamount=true", [4, 7]),  # due 30.00
        ("type=expense", []),
        ("type=Purchase", [1, 2, 3, 4, 5, 6, 7]),
        ("source=MatchingEngine", [1, 4, 6, 7]),
        ("supplierCode=aaa&filterBy=Overdue", [4, 7]),
    ],
)
def test_list_filters(seven, query, expected):
    assert numbers(seven.get(f"{LIST}?{query}")) == expected


def test_issued_date_filters_for_an_incremental_sync(seven):
    today = timezone.localdate()
    assert numbers(seven.get(f"{LIST}?issuedatefrom={today.isoformat()}")) == [6, 7]
    assert numbers(seven.get(f"{LIST}?IssueDateFrom={today.isoformat()} 12:00:00")) == [6, 7]
    long_ago = today - dt.timedelta(days=400)
    assert numbers(seven.get(f"{LIST}?issuedateto={long_ago.isoformat()}")) == [1, 2, 4]
    both = f"issuedatefrom={long_ago.isoformat()}&issuedateto={long_ago.isoformat()}&sortby=SupplierName"
    assert numbers(seven.get(f"{LIST}?{both}")) == [2, 4, 1]


def test_metadata_total_amount_covers_every_page(seven):
    meta = seven.get(f"{LIST}?perpage=2").json()["MetaData"]
    assert meta["TotalAmount"] == 270 and meta["InvoiceLimitReached"] is False
    assert seven.get(f"{LIST}?filterby=Paid").json()["MetaData"]["TotalAmount"] == 20


def test_status_values_match_the_filters(seven):
    rows = seven.get(LIST).json()["Data"]
    assert {r["Number"]: r["Status"] for r in rows} == {
        1: "Unpaid",
        2: "Paid",
        3: "Overpaid",
        4: "Overdue",
        5: "NA",
        6: "Unpaid",
        7: "Overdue",
    }
    assert {r["Number"]: r["OverdueDays"] for r in rows}[4] == 3


def test_projectnumber_and_suppliercode(seven):
    assert numbers(seven.get(f"{LIST}?projectnumber=1")) == [3, 6]
    assert numbers(seven.get(f"{LIST}?projectnumber=0")) == [1, 2, 3, 4, 5, 6, 7]
    assert numbers(seven.get(f"{LIST}?projectnumber=")) == [1, 2, 3, 4, 5, 6, 7]
    assert numbers(seven.get(f"{LIST}?suppliercode=AAA")) == [2, 4, 7]
    assert numbers(seven.get(f"{LIST}?suppliercode=NONE")) == []
    assert numbers(seven.get(f"{LIST}?suppliercode=AAA&filterby=Overdue&order=Desc")) == [7, 4]
    assert Project.objects.filter(number=1).exists()


def _page(url):
    return parse_qs(urlparse(url).query)["page"] if url else None


def test_metadata_first_middle_and_last_page(seven):
    first = seven.get(f"{LIST}?perpage=3&sortby=Number&order=Asc&suppliercode=").json()
    meta = first["MetaData"]
    assert [r["Number"] for r in first["Data"]] == [1, 2, 3]
    assert meta["TotalRecords"] == 7
    assert meta["FirstPageUrl"].startswith("http://testserver/v2/purchases?")
    query = parse_qs(urlparse(meta["NextPageUrl"]).query)
    assert query == {"perpage": ["3"], "sortby": ["Number"], "order": ["Asc"], "page": ["2"]}
    assert _page(meta["FirstPageUrl"]) == ["1"] and _page(meta["LastPageUrl"]) == ["3"]
    assert meta["PreviousPageUrl"] is None

    middle = seven.get(f"{LIST}?perpage=3&page=2").json()
    assert [r["Number"] for r in middle["Data"]] == [4, 5, 6]
    assert _page(middle["MetaData"]["NextPageUrl"]) == ["3"]
    assert _page(middle["MetaData"]["PreviousPageUrl"]) == ["1"]

    last = seven.get(f"{LIST}?perpage=3&page=3").json()
    assert [r["Number"] for r in last["Data"]] == [7]
    assert last["MetaData"]["NextPageUrl"] is None
    assert _page(last["MetaData"]["PreviousPageUrl"]) == ["2"]
    assert _page(last["MetaData"]["LastPageUrl"]) == ["3"]

    beyond = seven.get(f"{LIST}?perpage=3&page=9").json()
    assert beyond["Data"] == [] and beyond["MetaData"]["NextPageUrl"] is None


def test_empty_list_has_one_page(kf):
    body = kf.get(LIST).json()
    assert body["Data"] == [] and body["MetaData"]["TotalRecords"] == 0
    assert _page(body["MetaData"]["LastPageUrl"]) == ["1"]
    assert body["MetaData"]["NextPageUrl"] is None and body["MetaData"]["PreviousPageUrl"] is None


@pytest.mark.parametrize("perpage", ["501", "10000"])
def test_perpage_above_500_is_400_not_a_shorter_page(seven, perpage):
    response = seven.get(f"{LIST}?perpage={perpage}")
    assert response.status_code == 400
    assert response.json() == {
        "Error": "InvalidParameter",
        "Message": f"Invalid perpage '{perpage}': it must be a whole number from 1 to 500.",
    }
    xml = seven.get(f"{LIST}?perpage={perpage}", Accept="application/xml")
    assert xml.status_code == 400 and b"<Error>InvalidParameter</Error>" in xml.content
    body = seven.get(f"{LIST}?perpage=500").json()
    assert "perpage=500" in body["MetaData"]["FirstPageUrl"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("sortby=Colour", ["Number", "SupplierName", "PaidDate"]),
        ("sortby=13", ["Number", "DueAmount", "VAT", "0 to 12"]),
        ("order=Sideways", ["Asc", "Desc"]),
        ("filterby=Soon", ["All", "Unpaid", "PartPaid", "Overdue", "NotFullyPaid", "ThisMonth", "LastMonth"]),
        ("filterby=10", ["0 to 9"]),
        ("type=Invoice", ["Purchase", "Expense"]),
        ("source=Bank", ["MatchingEngine"]),
        ("issuedatefrom=yesterday", ["issuedatefrom"]),
        ("dosearchwithdueamount=maybe", ["true", "false"]),
    ],
)
def test_unknown_sortby_order_filterby_is_400_naming_the_accepted_values(kf, query, names):
    response = kf.get(f"{LIST}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"Message", "Error"}
    for name in names:
        assert name in body["Message"]


@pytest.mark.parametrize("query", ["page=0", "page=x", "perpage=0", "perpage=-3", "projectnumber=abc"])
def test_bad_numbers_are_400(kf, query):
    response = kf.get(f"{LIST}?{query}")
    assert response.status_code == 400 and response.json()["Error"] == "InvalidParameter"


def test_list_query_count_does_not_grow_with_page_size(kf):
    for n in range(1, 31):
        make(n, supplier="08C", rate=str(n))

    def count(perpage):
        with CaptureQueriesContext(connection) as ctx:
            response = kf.get(f"{LIST}?perpage={perpage}&sortby=SupplierName")
        assert response.status_code == 200
        assert len(response.json()["Data"]) == perpage
        return len(ctx.captured_queries)

    assert count(2) == count(30)
    assert count(30) <= 5


@pytest.mark.django_db(transaction=True)
def test_cached_order_is_served_until_the_next_write(client, kf_token):
    """Outside a transaction the list serves its cached sort order: warm, a page
    costs the token lookup and one query; any write shows at once."""
    from apps.purchases.demo import load_demo_data
    from apps.purchases.selectors import clear_list_cache
    from tests.purchases.conftest import KashflowClient

    load_demo_data()
    Purchase.objects.all().delete()
    clear_list_cache()
    kf = KashflowClient(client, kf_token)
    for n in range(3, 9):
        make(n, rate=str(n))
    url = f"{LIST}?perpage=2&page=2&sortby=GrossAmount&order=Desc"
    first = kf.get(url).json()
    assert first["MetaData"]["TotalRecords"] == 6
    with CaptureQueriesContext(connection) as ctx:
        again = kf.get(url).json()
    assert again == first
    assert len(ctx.captured_queries) == 2  # token, rows (+ list version in the same statement)
    row = again["Data"][0]
    assert row["SupplierName"] == "Honda Supplier" and row["Currency"]["Code"] == "GBP"
    assert (row["Number"], row["PreviousNumber"], row["NextNumber"]) == (6, 5, 7)
    # A write (here a delete through the API) is seen by the very next page.
    assert kf.delete("/v2/purchases/6").status_code == 204
    after = kf.get(url).json()
    assert after["MetaData"]["TotalRecords"] == 5
    assert [r["Number"] for r in after["Data"]] == [5, 4]
    assert after["Data"][0]["NextNumber"] == 7
    # The same rows as the uncached path, field for field.
    from django.db import transaction

    with transaction.atomic():
        uncached = kf.get(url).json()
    assert uncached == after


@pytest.mark.parametrize("number", ["99999999999999999999999", "٣", "-1", "1e3"])
def test_odd_purchase_numbers_are_404(kf, number):
    response = kf.get(f"/v2/purchases/{number}")
    assert response.status_code == 404 and response.json()["Error"] == "NotFound"


def test_huge_list_numbers_are_400_not_500(kf):
    assert kf.get(f"{LIST}?projectnumber=2147483648").status_code == 400
    assert kf.get(f"{LIST}?projectnumber=2147483647").status_code == 200
    assert kf.get(f"{LIST}?page=2147483647").json()["Data"] == []
