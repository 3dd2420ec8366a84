"""Every field the additions digest lists for list rows, details, lines,
payment lines and MetaData is returned, in JSON and in XML, with the value
finhub has (null or KashFlow's "none" where it has none)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.purchases.kashflow.formats import parse_xml
from apps.purchases.models import NominalAccount
from tests.purchases.conftest import decimal_json, example_body

D = Decimal
pytestmark = pytest.mark.django_db

LIST_ROW = {
    "Number", "Id", "SupplierId", "OverdueDays", "ProjectNumber", "FileCount", "VATReturnId", "IssuedDate",
    "DueDate", "PaidDate", "SupplierName", "SupplierCode", "SupplierReference", "Status", "ProjectName",
    "TradeBorderType", "Type", "ProjectGrossAmount", "VATAmount", "NetAmount", "TotalPaidAmount",
    "CISRCNetAmount", "CISRCVatAmount", "HomeCurrencyGrossAmount", "DueAmount", "IsEmailSent",
    "IsCISReverseCharge", "Currency",
}  # fmt: skip
DETAIL = {
    "GrossAmount", "Permalink", "AdditionalFieldValue", "PreviousNumber", "NextNumber",
    "IsWhtDeductionToBeApplied", "StockManagementApplicable", "LineItems", "PaymentLines",
}  # fmt: skip
LINE = {
    "Number", "Description", "Quantity", "Rate", "VATLevel", "VATAmount", "VATExempt", "Disallowed",
    "NominalCode", "ProjectNumber", "ProductCode", "TaxCode", "ImportDuty", "StockInfo", "NominalId",
    "NominalName", "ProductName", "ProjectName", "HomeCurrencyRate", "HomeCurrencyVATAmount",
    "HomeCurrencyImportDuty", "DisableDisallowed",
}  # fmt: skip
PAYMENT = {
    "Id", "AccountId", "Amount", "Date", "Method", "Note", "BankTransactionId", "BulkId", "BFSTransactionId",
    "PaymentProcessor", "BulkPaymentNumber", "Permalink", "PaymentProcessorEnumValue", "IsPaymentCreditNote",
    "VATReturnId",
}  # fmt: skip
META = {
    "TotalRecords", "FirstPageUrl", "LastPageUrl", "PreviousPageUrl", "NextPageUrl", "TotalAmount",
    "InvoiceLimitReached",
}  # fmt: skip
STOCK = {"Name", "QuantityInStock", "ApplicableOn", "Type", "Received", "StockReceivedOn"}
CURRENCY = {"Name", "Symbol", "DisplaySymbolOnRight", "Code", "ExchangeRate"}


@pytest.fixture
def purchase(kf, account, method):
    body = example_body()
    body["ProjectNumber"] = 1
    body["LineItems"][1].update(ImportDuty=D("2.50"), Disallowed=True)
    body["PaymentLines"] = [
        {"Date": "2014-01-12", "Amount": 5, "AccountId": account.pk, "Method": method.pk, "BFSTransactionId": 77}
    ]
    response = kf.post("/v2/purchases", body)
    assert response.status_code == 201, response.content
    return decimal_json(response)


def test_json_detail_lines_payments_have_every_field(kf, purchase):
    assert LIST_ROW - {"ProjectGrossAmount"} | DETAIL <= set(purchase)
    assert all(set(line) >= LINE for line in purchase["LineItems"])
    assert set(purchase["PaymentLines"][0]) >= PAYMENT
    assert set(purchase["Currency"]) >= CURRENCY
    first, second = purchase["LineItems"]
    assert set(first["StockInfo"]) >= STOCK and first["StockInfo"]["Type"] == "Product"
    assert first["NominalId"] == NominalAccount.objects.get(code=5000).pk
    assert (second["ImportDuty"], second["HomeCurrencyImportDuty"], second["Disallowed"]) == (
        D("2.50"),
        D("1.25"),
        True,
    )
    payment = purchase["PaymentLines"][0]
    assert (payment["BFSTransactionId"], payment["IsPaymentCreditNote"], payment["VATReturnId"]) == (77, False, 0)
    assert payment["PaymentProcessor"] is None
    assert (purchase["Type"], purchase["TradeBorderType"], purchase["IsEmailSent"]) == ("Purchase", "Domestic", False)
    assert (purchase["VATReturnId"], purchase["CISRCVatAmount"]) == (0, D("0.00"))


def test_json_list_rows_and_metadata_have_every_field(kf, purchase):
    body = decimal_json(kf.get("/v2/purchases"))
    assert set(body["MetaData"]) == META
    assert body["MetaData"]["TotalAmount"] == purchase["GrossAmount"]
    row = body["Data"][0]
    assert set(row) >= LIST_ROW
    assert row["ProjectGrossAmount"] == purchase["GrossAmount"]  # the purchase is booked to project 1


def test_xml_has_the_same_fields(kf, purchase):
    detail = parse_xml(kf.get(f"/v2/purchases/{purchase['Number']}?format=xml").content)
    assert LIST_ROW - {"ProjectGrossAmount"} | DETAIL <= set(detail)
    lines = detail["LineItems"]
    assert all(set(line) >= LINE for line in lines)
    assert set(lines[0]["StockInfo"]) >= STOCK
    assert set(detail["PaymentLines"][0]) >= PAYMENT
    listing = parse_xml(kf.get("/v2/purchases", Accept="application/xml").content)
    assert set(listing["MetaData"]) == META
    assert set(listing["Data"][0]) >= LIST_ROW
