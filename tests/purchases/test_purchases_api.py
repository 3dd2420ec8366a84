"""The KashFlow purchases API: the worked example in JSON and XML, create, get,
full-replace PUT, delete, purchaselist, stock and bank-transaction payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.purchases.kashflow.formats import parse_xml, render_xml
from apps.purchases.models import BankTransaction, NominalAccount, PaymentLine, Product, Purchase
from tests.purchases.conftest import decimal_json, example_body

D = Decimal
pytestmark = pytest.mark.django_db


def create(kf, body=None, **overrides):
    payload = example_body() if body is None else body
    payload.update(overrides)
    response = kf.post("/v2/purchases", payload)
    assert response.status_code == 201, response.content
    return decimal_json(response)


def simple(number=None, **overrides):
    body = {
        "SupplierCode": "08C",
        "IssuedDate": "2030-01-10",
        "DueDate": "2030-02-10",
        "LineItems": [{"Description": "thing", "Quantity": 1, "Rate": 100, "VATLevel": 20, "NominalCode": 5000}],
    }
    if number is not None:
        body["Number"] = number
    body.update(overrides)
    return body


def check_worked_example(body):
    assert body["NetAmount"] == D("165.00")
    assert body["VATAmount"] == D("30.08")
    assert body["GrossAmount"] == D("195.08")
    assert body["HomeCurrencyGrossAmount"] == D("97.54")
    first, second = body["LineItems"]
    assert (first["VATAmount"], second["VATAmount"]) == (D("6.08"), D("24.00"))
    assert (first["HomeCurrencyRate"], second["HomeCurrencyRate"]) == (D("7.50"), D("6.00"))
    assert (first["HomeCurrencyVATAmount"], second["HomeCurrencyVATAmount"]) == (D("3.04"), D("12.00"))
    assert body["Currency"]["Code"] == "AUD" and body["Currency"]["ExchangeRate"] == D(2)
    assert body["SupplierCode"] == "08C" and body["SupplierName"] == "Honda Supplier"
    assert body["IssuedDate"] == "2014-01-10 12:00:00"
    assert first["NominalName"] == "Materials Purchased" and first["ProductName"] == "Material"
    assert first["ProjectNumber"] == 2 and second["ProjectNumber"] == 1
    assert first["StockInfo"]["ApplicableOn"] == "Product" and first["StockInfo"]["Received"] is False
    assert second["StockInfo"] is None
    assert body["Status"] == "Overdue" and body["StockManagementApplicable"] is True
    assert body["Permalink"].startswith("/v2/documents/purchase/")


def test_posting_the_sample_reproduces_the_worked_example_in_json(kf):
    response = kf.post("/v2/purchases", example_body())
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    # Amounts are JSON numbers, written digit for digit.
    assert b'"GrossAmount":195.08' in response.content
    body = decimal_json(response)
    check_worked_example(body)
    again = decimal_json(kf.get(f"/v2/purchases/{body['Number']}"))
    check_worked_example(again)


def test_posting_the_sample_as_xml_reproduces_the_worked_example(kf):
    xml = render_xml(example_body(), root="Purchase")
    response = kf.post("/v2/purchases", raw=xml, content_type="application/xml", Accept="application/xml")
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/xml")
    assert b"<GrossAmount>195.08</GrossAmount>" in response.content
    assert b"<LineItems><LineItem><Number>1</Number>" in response.content
    parsed = parse_xml(response.content)
    values = {k: parsed[k] for k in ("NetAmount", "VATAmount", "GrossAmount", "HomeCurrencyGrossAmount")}
    assert values == {
        "NetAmount": "165.00",
        "VATAmount": "30.08",
        "GrossAmount": "195.08",
        "HomeCurrencyGrossAmount": "97.54",
    }
    lines = parsed["LineItems"]
    assert [ln["HomeCurrencyRate"] for ln in lines] == ["7.50", "6.00"]
    assert [ln["HomeCurrencyVATAmount"] for ln in lines] == ["3.04", "12.00"]
    # ?format=xml selects XML as well.
    number = parsed["Number"]
    as_xml = kf.get(f"/v2/purchases/{number}?format=xml")
    assert as_xml.status_code == 200 and as_xml.content.startswith(b"<?xml")


def test_xml_get_put_round_trip_keeps_the_purchase(kf):
    created = create(kf)
    number = created["Number"]
    xml = kf.get(f"/v2/purchases/{number}", Accept="application/xml").content
    response = kf.put(f"/v2/purchases/{number}", raw=xml, content_type="application/xml")
    assert response.status_code == 200, response.content
    check_worked_example(decimal_json(response))


def test_keys_are_case_insensitive_and_dates_accept_iso_and_bare(kf):
    body = {
        "suppliercode": "08C",
        "issueddate": "2030-01-10T09:30:00Z",
        "DUEDATE": "2030-02-01",
        "lineitems": [{"description": "x", "quantity": "2", "rate": "1.5", "nominalcode": "5000"}],
    }
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 201, response.content
    data = decimal_json(response)
    assert data["IssuedDate"] == "2030-01-10 12:00:00" and data["DueDate"] == "2030-02-01 12:00:00"
    assert data["NetAmount"] == D("3.00") and data["Status"] == "Unpaid"


def test_number_is_next_free_or_the_one_given(kf):
    first = create(kf, simple())
    second = create(kf, simple())
    assert second["Number"] == first["Number"] + 1
    assert create(kf, simple(number=500))["Number"] == 500
    assert create(kf, simple())["Number"] == 501
    duplicate = kf.post("/v2/purchases", simple(number=500))
    assert duplicate.status_code == 400
    assert "Number" in duplicate.json()["Message"]


def test_previous_and_next_numbers(kf):
    for n in (10, 20, 30):
        create(kf, simple(number=n))
    body = decimal_json(kf.get("/v2/purchases/20"))
    assert (body["PreviousNumber"], body["NextNumber"]) == (10, 30)
    first = decimal_json(kf.get("/v2/purchases/10"))
    assert (first["PreviousNumber"], first["NextNumber"]) == (0, 20)


def test_validation_errors_name_the_fields_and_change_nothing(kf):
    body = simple()
    body["LineItems"][0]["Quantity"] = "1.23456"  # more than 4 places: an error, not a rounding
    body["LineItems"][0]["NominalCode"] = "x"
    body["DueDate"] = "10/01/2014"  # may be left out, but not malformed
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["Error"] == "ValidationError"
    for name in ("LineItems[0].Quantity", "LineItems[0].NominalCode", "DueDate"):
        assert name in payload["Message"]
    assert not Purchase.objects.exists()


def test_unknown_references_are_400_naming_the_field(kf):
    body = simple(SupplierCode="NOPE")
    body["LineItems"][0]["NominalCode"] = 9999
    body["Currency"] = {"Code": "XYZ", "ExchangeRate": 1}
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 400
    message = response.json()["Message"]
    assert "SupplierCode" in message and "LineItems[0].NominalCode" in message and "Currency.Code" in message
    assert not Purchase.objects.exists()


def test_currency_code_is_upper_cased_and_defaults_to_home(kf):
    data = create(kf, simple(Currency={"Code": "eur", "ExchangeRate": "1.25"}))
    assert data["Currency"]["Code"] == "EUR" and data["Currency"]["Symbol"] == "€"
    assert data["HomeCurrencyGrossAmount"] == D("96.00")
    home = create(kf, simple())
    assert home["Currency"]["Code"] == "GBP" and home["Currency"]["ExchangeRate"] == D(1)


def test_vat_exempt_line_has_no_vat_and_rounding_is_half_up(kf):
    body = simple()
    body["LineItems"] = [
        {"Description": "a", "Quantity": 1, "Rate": "0.05", "VATLevel": 10, "NominalCode": 5000},  # 0.005 -> 0.01
        {"Description": "b", "Quantity": 3, "Rate": 10, "VATLevel": 20, "VATExempt": True, "NominalCode": 5000},
    ]
    data = create(kf, body)
    assert [ln["VATAmount"] for ln in data["LineItems"]] == [D("0.01"), D("0.00")]
    assert data["NetAmount"] == D("30.05") and data["GrossAmount"] == D("30.06")


def test_get_unknown_purchase_is_404(kf):
    response = kf.get("/v2/purchases/424242")
    assert response.status_code == 404
    assert response.json()["Error"] == "NotFound"


def test_delete_is_204_and_then_404(kf):
    number = create(kf, simple())["Number"]
    assert kf.delete(f"/v2/purchases/{number}").status_code == 204
    assert kf.get(f"/v2/purchases/{number}").status_code == 404
    assert kf.delete(f"/v2/purchases/{number}").status_code == 404


# --- PUT ------------------------------------------------------------------------------


def test_put_adds_changes_and_drops_lines(kf):
    created = create(kf, simple())
    number = created["Number"]
    body = decimal_json(kf.get(f"/v2/purchases/{number}"))
    body["LineItems"][0]["Quantity"] = 2  # change line 1
    del body["LineItems"][0]["VATAmount"]  # a sent VATAmount is kept: leave it out to have it computed
    body["LineItems"].append({"Number": 0, "Description": "new", "Quantity": 1, "Rate": 10, "NominalCode": 7403})
    response = kf.put(f"/v2/purchases/{number}", body)
    assert response.status_code == 200, response.content
    data = decimal_json(response)
    assert [(ln["Number"], ln["Description"], ln["Quantity"]) for ln in data["LineItems"]] == [
        (1, "thing", D("2.0000")),
        (2, "new", D("1.0000")),
    ]
    assert data["NetAmount"] == D("210.00") and data["VATAmount"] == D("40.00")
    # Leave line 1 out: it is deleted; line 2 stays.
    data["LineItems"] = [data["LineItems"][1]]
    dropped = decimal_json(kf.put(f"/v2/purchases/{number}", data))
    assert [ln["Number"] for ln in dropped["LineItems"]] == [2]
    assert dropped["GrossAmount"] == D("10.00")


def test_put_with_an_unknown_line_number_is_400_and_changes_nothing(kf):
    number = create(kf, simple())["Number"]
    body = decimal_json(kf.get(f"/v2/purchases/{number}"))
    body["LineItems"][0]["Number"] = 99
    response = kf.put(f"/v2/purchases/{number}", body)
    assert response.status_code == 400 and "LineItems[0].Number" in response.json()["Message"]
    assert decimal_json(kf.get(f"/v2/purchases/{number}"))["LineItems"][0]["Number"] == 1


def test_put_adds_changes_and_drops_payments(kf, account, method):
    number = create(kf, simple())["Number"]  # gross 120.00
    body = decimal_json(kf.get(f"/v2/purchases/{number}"))
    body["PaymentLines"] = [
        {"Id": 0, "Date": "2030-01-15", "Amount": 20, "Method": method.pk, "AccountId": account.pk, "Note": "a"},
        {"Id": 0, "Date": "2030-01-20", "Amount": 30, "Method": method.pk, "AccountId": account.pk, "Note": "b"},
    ]
    data = decimal_json(kf.put(f"/v2/purchases/{number}", body))
    assert data["TotalPaidAmount"] == D("50.00") and data["DueAmount"] == D("70.00")
    ids = [p["Id"] for p in data["PaymentLines"]]
    # Change the first, drop the second, add a third that settles it.
    data["PaymentLines"] = [
        {**data["PaymentLines"][0], "Amount": 70},
        {"Id": 0, "Date": "2030-01-25", "Amount": 50, "Method": method.pk, "AccountId": account.pk},
    ]
    result = decimal_json(kf.put(f"/v2/purchases/{number}", data))
    assert [p["Amount"] for p in result["PaymentLines"]] == [D("70.00"), D("50.00")]
    assert result["PaymentLines"][0]["Id"] == ids[0]
    assert not PaymentLine.objects.filter(pk=ids[1]).exists()
    assert result["Status"] == "Paid" and result["PaidDate"] == "2030-01-25 12:00:00"
    assert result["PaymentLines"][0]["Permalink"].startswith("/v2/documents/purchase/payment/")


def test_put_of_an_unknown_payment_id_is_400(kf, account, method):
    number = create(kf, simple())["Number"]
    body = simple()
    body["PaymentLines"] = [
        {"Id": 777, "Date": "2030-01-15", "Amount": 1, "Method": method.pk, "AccountId": account.pk}
    ]
    response = kf.put(f"/v2/purchases/{number}", body)
    assert response.status_code == 400 and "PaymentLines[0].Id" in response.json()["Message"]


def test_put_to_unknown_purchase_is_404(kf):
    assert kf.put("/v2/purchases/999", simple()).status_code == 404


# --- status -------------------------------------------------------------------------


def pay(kf, number, amount, account, method, date="2030-01-15"):
    body = decimal_json(kf.get(f"/v2/purchases/{number}"))
    body["PaymentLines"].append({"Id": 0, "Date": date, "Amount": amount, "Method": method.pk, "AccountId": account.pk})
    response = kf.put(f"/v2/purchases/{number}", body)
    assert response.status_code == 200, response.content
    return decimal_json(response)


def test_status_unpaid_paid_overpaid_overdue_and_na(kf, account, method):
    today = timezone.localdate()
    future, past = today + dt.timedelta(days=10), today - dt.timedelta(days=7)
    unpaid = create(kf, simple(DueDate=future.isoformat()))
    assert (unpaid["Status"], unpaid["OverdueDays"]) == ("Unpaid", 0)
    overdue = create(kf, simple(DueDate=past.isoformat()))
    assert (overdue["Status"], overdue["OverdueDays"]) == ("Overdue", 7)
    partly = pay(kf, overdue["Number"], 20, account, method)
    assert (partly["Status"], partly["OverdueDays"], partly["DueAmount"]) == ("Overdue", 7, D("100.00"))
    paid = pay(kf, overdue["Number"], 100, account, method, date="2030-01-20")
    assert (paid["Status"], paid["OverdueDays"], paid["PaidDate"]) == ("Paid", 0, "2030-01-20 12:00:00")
    overpaid = pay(kf, unpaid["Number"], 500, account, method)
    assert (overpaid["Status"], overpaid["DueAmount"]) == ("Overpaid", D("-380.00"))
    # A new purchase needs a line (KashFlow: LineItems >= 1); a free one makes it NA.
    free = [{"Description": "free sample", "Quantity": 1, "Rate": 0, "NominalCode": 7403}]
    na = create(kf, simple(LineItems=free, DueDate=past.isoformat()))
    assert (na["Status"], na["OverdueDays"], na["GrossAmount"]) == ("NA", 0, D("0.00"))


# --- stock --------------------------------------------------------------------------


def test_stock_is_received_once(kf):
    product = Product.objects.get(code="Test121")
    start = product.quantity_in_stock
    created = create(kf)
    number = created["Number"]
    product.refresh_from_db()
    assert product.quantity_in_stock == start  # not received yet
    body = decimal_json(kf.get(f"/v2/purchases/{number}"))
    body["LineItems"][0]["StockInfo"]["Received"] = True
    received = decimal_json(kf.put(f"/v2/purchases/{number}", body))
    info = received["LineItems"][0]["StockInfo"]
    assert info["Received"] is True and info["StockReceivedOn"] is not None
    assert info["QuantityInStock"] == start + 3
    # The same PUT again, and a GET/PUT round trip: no second receipt.
    assert kf.put(f"/v2/purchases/{number}", body).status_code == 200
    again = decimal_json(kf.get(f"/v2/purchases/{number}"))
    assert kf.put(f"/v2/purchases/{number}", again).status_code == 200
    product.refresh_from_db()
    assert product.quantity_in_stock == start + 3
    assert again["LineItems"][0]["StockInfo"]["StockReceivedOn"] == info["StockReceivedOn"]


def test_stock_received_on_create_and_taken_back_on_delete(kf):
    product = Product.objects.get(code="Test121")
    start = product.quantity_in_stock
    body = example_body()
    body["LineItems"][0]["StockInfo"] = {"Received": True}
    number = create(kf, body)["Number"]
    product.refresh_from_db()
    assert product.quantity_in_stock == start + 3
    assert kf.delete(f"/v2/purchases/{number}").status_code == 204
    product.refresh_from_db()
    assert product.quantity_in_stock == start


# --- bank transactions ------------------------------------------------------------------


def test_bank_transaction_becomes_the_payment_and_is_removed(kf, method):
    tx = BankTransaction.objects.get(reference="BT phone bill")
    number = create(kf, simple())["Number"]
    body = decimal_json(kf.get(f"/v2/purchases/{number}"))
    body["PaymentLines"] = [{"Id": 0, "Method": method.pk, "BankTransactionId": tx.pk}]
    data = decimal_json(kf.put(f"/v2/purchases/{number}", body))
    payment = data["PaymentLines"][0]
    assert payment["Amount"] == D("42.00") and payment["Date"] == "2024-12-01 12:00:00"
    assert payment["AccountId"] == tx.bank_account_id and payment["BankTransactionId"] == tx.pk
    assert not BankTransaction.objects.filter(pk=tx.pk).exists()
    # A second use of the same transaction is an error.
    other = create(kf, simple())["Number"]
    again = simple(PaymentLines=[{"Method": method.pk, "BankTransactionId": tx.pk}])
    response = kf.put(f"/v2/purchases/{other}", again)
    assert response.status_code == 400
    assert "PaymentLines[0].BankTransactionId" in response.json()["Message"]


def test_only_one_bank_transaction_per_purchase(kf, method, account):
    one = BankTransaction.objects.create(bank_account=account, date=dt.date(2030, 1, 1), amount=D(5))
    two = BankTransaction.objects.create(bank_account=account, date=dt.date(2030, 1, 2), amount=D(6))
    body = simple(
        PaymentLines=[
            {"Method": method.pk, "BankTransactionId": one.pk},
            {"Method": method.pk, "BankTransactionId": two.pk},
        ]
    )
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 400 and "only one bank transaction" in response.json()["Message"]
    assert BankTransaction.objects.filter(pk__in=[one.pk, two.pk]).count() == 2


# --- purchaselist -----------------------------------------------------------------------


def test_purchaselist_creates_each_item_on_its_own_and_reports_in_order(kf, method):
    tx = BankTransaction.objects.get(reference="BT phone bill")
    items = [
        {
            "SupplierCode": "08C",
            "IssuedDate": "2014-09-29",
            "DueDate": "2014-09-30",
            "LineItems": [{"Description": "paper", "Quantity": 1, "Rate": 5, "NominalCode": 7403}],
        },
        {"SupplierCode": "NOPE", "IssuedDate": "2014-09-30", "DueDate": "2014-09-30"},
        {
            "SupplierCode": "08C",
            "IssuedDate": "2014-09-30",
            "DueDate": "2014-09-30",
            "PaymentLines": [{"BankTransactionId": tx.pk, "Method": method.pk}],
        },
    ]
    response = kf.post("/v2/purchaselist", items)
    assert response.status_code == 200, response.content
    results = response.json()
    assert len(results) == 3
    # KashFlow's success: both strings empty, not null.
    assert (results[0]["ErrorCode"], results[0]["Reason"]) == ("", "") and results[0]["Number"]
    assert results[1]["Number"] is None and results[1]["ErrorCode"] == "ValidationError"
    assert "SupplierCode" in results[1]["Reason"]
    assert results[2]["ErrorCode"] == "" and results[2]["BankTransactionId"] == tx.pk
    assert Purchase.objects.count() == 2
    paid = decimal_json(kf.get(f"/v2/purchases/{results[2]['Number']}"))
    # A purchase without lines paid by a bank transaction gets a line for it.
    assert paid["Status"] == "Paid" and paid["GrossAmount"] == D("42.00")
    assert paid["LineItems"][0]["NominalCode"] == NominalAccount.objects.get(code=8205).code
    # Reusing the transaction in a new batch fails for that item only.
    retry = kf.post("/v2/purchaselist", [items[2], items[0]]).json()
    assert retry[0]["ErrorCode"] == "ValidationError" and retry[1]["ErrorCode"] == ""


def test_purchaselist_failing_item_leaves_nothing_half_done(kf):
    good = simple()
    bad = simple()
    bad["LineItems"].append({"Description": "x", "Quantity": 1, "Rate": 1, "NominalCode": 1})
    results = kf.post("/v2/purchaselist", [good, bad, good]).json()
    assert [r["ErrorCode"] for r in results] == ["", "ValidationError", ""]
    assert Purchase.objects.count() == 2
    assert all(p.lines.count() == 1 for p in Purchase.objects.all())


def test_purchaselist_in_xml(kf):
    from apps.purchases.kashflow.formats import render_xml as rx

    xml = rx([simple(), simple(SupplierCode="NOPE")], root="ArrayOfPurchase", item="Purchase")
    response = kf.post("/v2/purchaselist", raw=xml, content_type="application/xml", Accept="application/xml")
    assert response.status_code == 200, response.content
    assert response.content.count(b"<PurchaseListResult>") == 2
    assert b"<ErrorCode>ValidationError</ErrorCode>" in response.content


def test_purchaselist_body_must_be_an_array(kf):
    response = kf.post("/v2/purchaselist", simple())
    assert response.status_code == 400 and response.json()["Error"] == "MalformedRequest"


# --- documents ------------------------------------------------------------------------------


def test_permalink_is_a_pdf_and_a_printable_page_without_login(kf, anon, account, method):
    created = create(kf)
    paid = pay(kf, created["Number"], 10, account, method)
    document = anon.get(created["Permalink"])
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF-") and b"Purchase " in document.content
    assert anon.get(created["Permalink"] + "?media=0")["Content-Type"] == "application/pdf"
    assert anon.get(created["Permalink"] + "?media=7").status_code == 400
    for page in (
        anon.get(created["Permalink"] + "?format=html"),
        anon.client.get(created["Permalink"], HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"),
        anon.get(created["Permalink"].replace("/documents/purchase/", "/documents/purchaseorder/") + "?format=html"),
    ):
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
        html = page.content.decode()
        assert f"Purchase {created['Number']}" in html and "195.08" in html and "@media print" in html
    old = anon.get(created["Permalink"].replace("/documents/purchase/", "/documents/purchaseorder/"))
    assert old["Content-Type"] == "application/pdf"
    receipt = anon.get(paid["PaymentLines"][0]["Permalink"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    receipt_page = anon.get(paid["PaymentLines"][0]["Permalink"] + "?format=html")
    assert "Payment receipt" in receipt_page.content.decode()
    missing = anon.get("/v2/documents/purchaseorder/3e196af3-7c11-46f1-b145-e3c8212b4d30")
    assert missing.status_code == 404 and missing.json()["Error"] == "NotFound"
    assert anon.get("/v2/documents/purchaseorder/not-a-uuid").status_code == 404
    # A browser (Accept: text/html) gets a page, not the API's XML, for a bad or unknown link.
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in (
        "/v2/documents/purchaseorder/not-a-uuid",
        "/v2/documents/purchaseorder/3e196af3-7c11-46f1-b145-e3c8212b4d30",
        "/v2/documents/purchasepayment/3e196af3",
    ):
        page = anon.client.get(path, HTTP_ACCEPT=browser)
        assert page.status_code == 404 and page["Content-Type"] == "text/html; charset=utf-8", path
        assert "<h1>Document not found</h1>" in page.content.decode()
        assert "<?xml" not in page.content.decode()
    chinese = anon.client.get("/v2/documents/purchaseorder/x", HTTP_ACCEPT=browser, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "<h1>找不到该单据</h1>" in chinese.content.decode()


def test_purchaselist_reports_an_unexpected_error_for_that_item_only(kf, monkeypatch):
    from apps.purchases.kashflow import purchaselist as views

    real = views.purchase_create
    calls = {"n": 0}

    def flaky(data, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom")
        return real(data, **kwargs)

    monkeypatch.setattr(views, "purchase_create", flaky)
    results = kf.post("/v2/purchaselist", [simple(), simple(), simple()]).json()
    assert [r["ErrorCode"] for r in results] == ["", "InternalServerError", ""]
    assert "error id" in results[1]["Reason"]
    assert Purchase.objects.count() == 2
