"""/v2 reference data: suppliers (list, get, create, PUT, delete), nominals,
projects, bank accounts and customers, in JSON and XML, with KashFlow's field
names and MetaData, and list query counts that do not grow with the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.purchases.kashflow.formats import parse_xml
from apps.purchases.models import BankAccount, NominalAccount, PaymentMethod, Project, Purchase, Supplier
from tests.purchases.conftest import decimal_json

D = Decimal
pytestmark = pytest.mark.django_db

META = {
    "FirstPageUrl",
    "LastPageUrl",
    "NextPageUrl",
    "PreviousPageUrl",
    "TotalRecords",
    "TotalAmount",
    "InvoiceLimitReached",
}


def purchase(kf, supplier="08C", rate=100, paid=None, project=None, account=None):
    body = {
        "SupplierCode": supplier,
        "IssuedDate": "2030-01-10",
        "DueDate": "2030-02-10",
        "LineItems": [{"Description": "x", "Quantity": 1, "Rate": rate, "VATLevel": 20, "NominalCode": 5000}],
    }
    if project:
        body["ProjectNumber"] = project
    if paid:
        body["PaymentLines"] = [{"Date": "2030-01-11", "Amount": paid, "AccountId": account.pk}]
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 201, response.content
    return decimal_json(response)


# --- suppliers ------------------------------------------------------------------------


def test_supplier_list_has_kashflows_rows_and_metadata(kf, account):
    purchase(kf, rate=100, paid=20, account=account)
    data = decimal_json(kf.get("/v2/suppliers?perPage=1&SortBy=code"))
    assert set(data["MetaData"]) == META
    assert data["MetaData"]["TotalRecords"] == Supplier.objects.count()
    assert data["MetaData"]["NextPageUrl"].startswith("http://testserver/v2/suppliers?page=2&perpage=1")
    row = data["Data"][0]
    assert row["Code"] == "08C" and row["Name"] == "Honda Supplier"
    assert (row["TotalPaidAmount"], row["OutstandingBalance"]) == (D("20.00"), D("100.00"))
    assert row["Currency"]["Code"] == "AUD" and row["Address"]["Line1"] == ""
    assert row["Contacts"] == [] and row["IsArchived"] is False and row["SourceName"] is None
    assert "VatNumber" not in row  # detail only


def test_supplier_list_filters_and_sorts(kf):
    Supplier.objects.create(code="ZED", name="Zebra Ltd", is_archived=True)
    codes = [r["Code"] for r in kf.get("/v2/suppliers?sortby=Code&order=desc").json()["Data"]]
    assert codes == sorted(codes, reverse=True) and "ZED" not in codes
    archived = kf.get("/v2/suppliers?filterArchived=true&searchText=zeb").json()["Data"]
    assert [r["Code"] for r in archived] == ["ZED"]
    assert [r["Code"] for r in kf.get("/v2/suppliers?namestartswith=hon").json()["Data"]] == ["08C"]
    bad = kf.get("/v2/suppliers?sortby=Colour")
    assert bad.status_code == 400 and "Name, Code, TotalPaidAmount, OutstandingBalance" in bad.json()["Message"]


def test_supplier_list_query_count_does_not_grow_with_the_page(kf):
    for i in range(6):
        Supplier.objects.create(code=f"S{i}", name=f"Supplier {i}").contacts.create(name="Ann")
    counts = []
    for perpage in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            assert kf.get(f"/v2/suppliers?perpage={perpage}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_supplier_get_by_code_in_any_case_with_detail_fields(kf):
    supplier = Supplier.objects.get(code="08C")
    supplier.default_nominal = NominalAccount.objects.get(code=7403)
    supplier.payment_terms_days = 30
    supplier.save()
    data = decimal_json(kf.get("/v2/suppliers/08c"))
    assert data["Code"] == "08C" and data["VatNumber"] == "GB123456789"
    assert data["DefaultNominalCode"] == 7403 and data["PaymentTerms"] == {"Type": "AfterIssuedDate", "Days": 30}
    assert data["BankAccount"] == {"Name": "", "Number": "", "SortCode": ""}
    assert kf.get("/v2/suppliers/NOPE").status_code == 404


def test_supplier_create_update_rename_and_xml(kf):
    method = PaymentMethod.objects.get(name="Cheque")
    body = {
        "Code": "NEW1",
        "Name": "New Supplier",
        "VatNumber": "GB1",
        "PaymentMethod": method.pk,
        "DefaultNominalCode": 5000,
        "PaymentTerms": {"Type": "afterissueddate", "Days": 14},
        "Address": {"Line1": "1 High St", "PostCode": "AB1 2CD", "CountryCode": "gb"},
        "Contacts": [{"Name": "Ann", "Email": "ann@example.com", "IsPrimary": True}],
        "Currency": {"Code": "EUR", "ExchangeRate": 1.2},
    }
    response = kf.post("/v2/suppliers", body)
    assert response.status_code == 201, response.content
    created = decimal_json(response)
    assert created["Address"]["CountryName"] == "United Kingdom" and created["Contacts"][0]["Name"] == "Ann"
    assert created["PaymentMethod"] == method.pk and created["DefaultNominalCode"] == 5000
    body["Name"] = "Renamed Supplier"
    assert kf.put("/v2/suppliers/new1", body).status_code == 200
    body["Code"] = "NEW2"
    renamed = kf.put("/v2/suppliers/NEW1", body)
    assert renamed.status_code == 201 and renamed.json()["Code"] == "NEW2"
    xml = kf.get("/v2/suppliers/NEW2?format=xml")
    assert parse_xml(xml.content)["Name"] == "Renamed Supplier"


def test_supplier_code_clash_in_any_case_is_400_unless_a_code_may_be_generated(kf):
    clash = kf.post("/v2/suppliers", {"Code": "08c", "Name": "Other"})
    assert clash.status_code == 400 and "Code" in clash.json()["Message"]
    generated = kf.post("/v2/suppliers", {"Code": "08c", "CreateSupplierCodeIfDuplicate": True, "Name": "Other"})
    assert generated.status_code == 201 and generated.json()["Code"] == "08c-2"
    named = kf.post("/v2/suppliers", {"Code": "NONAME", "CreateSupplierNameIfEmptyOrNull": True})
    assert named.status_code == 201 and named.json()["Name"] == "NONAME"
    assert kf.post("/v2/suppliers", {"Code": "X"}).status_code == 400


def test_supplier_delete_is_refused_while_purchases_refer_to_it(kf):
    purchase(kf)
    refused = kf.delete("/v2/suppliers/08C")
    assert refused.status_code == 400 and refused.json()["Error"] == "SupplierInUse"
    assert Supplier.objects.filter(code="08C").exists()
    Purchase.objects.all().delete()
    assert kf.delete("/v2/suppliers/08c").status_code == 204
    assert kf.get("/v2/suppliers/08C").status_code == 404


# --- nominals, projects, bank accounts, customers ------------------------------------


def test_nominals_paged_by_code_and_by_id(kf):
    data = decimal_json(kf.get("/v2/nominals"))
    assert set(data["MetaData"]) == META
    assert [(n["Code"], n["Name"]) for n in data["Data"]][:2] == [
        (5000, "Materials Purchased"),
        (7403, "Entertainment"),
    ]
    row = data["Data"][0]
    assert row["Classification"] is None and row["Archived"] is False
    assert [n["Code"] for n in kf.get("/v2/nominals?searchText=tele").json()["Data"]] == [8205]
    nominal = NominalAccount.objects.get(code=7403)
    assert kf.get("/v2/nominals/7403").json()["Id"] == nominal.pk
    assert kf.get(f"/v2/nominals/Id/{nominal.pk}").json()["Code"] == 7403
    assert kf.get("/v2/nominals/1").status_code == 404


def test_projects_list_get_create_update(kf):
    purchase(kf, project=2)
    data = decimal_json(kf.get("/v2/projects?sortBy=Name"))
    assert set(data["MetaData"]) == META
    assert [p["Name"] for p in data["Data"]] == ["TEst", "Test5"]
    detail = decimal_json(kf.get("/v2/projects/2"))
    assert detail["ActualPurchasesAmount"] == D("100.00") and detail["Margin"] == D("-100.00")
    assert detail["Status"] == "Active" and detail["CustomerCode"] is None
    created = kf.post(
        "/v2/projects", {"Name": "Roof", "Reference": "R-1", "Status": "active", "StartDate": "2030-01-01"}
    )
    assert created.status_code == 201, created.content
    number = created.json()["Number"]
    assert number == 3 and created.json()["StartDate"] == "2030-01-01 12:00:00"
    changed = kf.put(f"/v2/projects/{number}", {"Name": "Roof", "Status": "Completed"})
    assert changed.status_code == 200 and changed.json()["Status"] == "Completed"
    assert [p["Number"] for p in kf.get("/v2/projects?status=Completed").json()["Data"]] == [number]
    renumbered = kf.put(f"/v2/projects/{number}", {"Name": "Roof", "Number": 30})
    assert renumbered.status_code == 201 and Project.objects.filter(number=30).exists()
    assert kf.post("/v2/projects", {"Name": "Dup", "Number": 30}).status_code == 400


def test_bank_accounts_list_and_get(kf):
    account = BankAccount.objects.get(name="Current Account")
    data = decimal_json(kf.get("/v2/bankaccounts?includeArchivedAccounts=true"))
    assert set(data["MetaData"]) == META
    row = data["Data"][0]
    assert (row["Id"], row["AccountName"], row["IsDefaultAccount"]) == (account.pk, "Current Account", True)
    assert row["FeedSource"] == "" and row["LastTransactionImportDate"] is None
    assert kf.get("/v2/bankaccounts/list").json()["Data"][0]["Id"] == account.pk
    detail = kf.get(f"/v2/bankaccounts/{account.pk}").json()
    assert detail["StartingDate"] == "1970-01-01 12:00:00"
    assert kf.get("/v2/bankaccounts/999999").status_code == 404


def test_customers_is_an_empty_list_with_metadata(kf):
    data = kf.get("/v2/customers").json()
    assert data["Data"] == [] and data["MetaData"]["TotalRecords"] == 0
    assert set(data["MetaData"]) == META and data["MetaData"]["NextPageUrl"] is None
    assert kf.get("/v2/customers/ANY").status_code == 404
    xml = parse_xml(kf.get("/v2/customers", Accept="application/xml").content)
    assert xml["MetaData"]["TotalRecords"] in ("0", 0)


def test_reference_endpoints_need_a_session(anon):
    for path in ("/v2/suppliers", "/v2/nominals", "/v2/projects", "/v2/bankaccounts", "/v2/customers"):
        response = anon.get(path)
        assert response.status_code == 401 and response.json()["Error"] == "InvalidSessionToken"


@pytest.mark.parametrize("path", ["/v2/suppliers", "/v2/nominals", "/v2/projects", "/v2/bankaccounts", "/v2/customers"])
def test_reference_lists_refuse_perpage_above_500(kf, path):
    refused = kf.get(f"{path}?perpage=501")
    assert refused.status_code == 400
    assert refused.json() == {
        "Error": "InvalidParameter",
        "Message": "Invalid perpage '501': it must be a whole number from 1 to 500.",
    }
    assert kf.get(f"{path}?perpage=500").status_code == 200


def test_suppliers_skipperpagevalidation_reads_a_larger_perpage_as_500(kf):
    data = kf.get("/v2/suppliers?perpage=501&skipperpagevalidation=true").json()
    assert "perpage=500" in data["MetaData"]["FirstPageUrl"]
    assert kf.get("/v2/suppliers?perpage=501&skipperpagevalidation=false").status_code == 400
