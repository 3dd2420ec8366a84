"""What real KashFlow clients send on writes: line Numbers on create, copies of
a purchase, optional fields with their defaults (additions digest §8), a sent
VATAmount, the header ProjectNumber, the home currency's rate, CIS reverse
charge and Type, credit lines; and query names and codes in any letter case."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.purchases.models import NominalAccount, PaymentMethod, Product, Purchase, Supplier
from tests.purchases.conftest import decimal_json, example_body

D = Decimal
pytestmark = pytest.mark.django_db


def line(**fields):
    base = {"Description": "thing", "Quantity": 1, "Rate": 100, "VATLevel": 20, "NominalCode": 5000}
    base.update(fields)
    return base


def body(**fields):
    data = {"SupplierCode": "08C", "IssuedDate": "2030-01-10", "DueDate": "2030-02-10", "LineItems": [line()]}
    data.update(fields)
    return data


def created(kf, data):
    response = kf.post("/v2/purchases", data)
    assert response.status_code == 201, response.content
    return decimal_json(response)


def refused(kf, data, *names):
    before = Purchase.objects.count()
    response = kf.post("/v2/purchases", data)
    assert response.status_code == 400, response.content
    message = response.json()["Message"]
    for name in names:
        assert name in message, message
    assert Purchase.objects.count() == before
    return message


# --- 3. line Numbers on create, copying a purchase ----------------------------------


def test_kashflows_example_with_line_numbers_is_created_with_those_numbers(kf):
    data = example_body()
    for n, item in enumerate(data["LineItems"], start=1):
        item["Number"] = n * 10
    purchase = created(kf, data)
    assert [ln["Number"] for ln in purchase["LineItems"]] == [10, 20]
    assert purchase["GrossAmount"] == D("195.08")


def test_a_line_number_given_twice_on_create_is_400_naming_the_line(kf):
    refused(kf, body(LineItems=[line(Number=1), line(Number=1)]), "LineItems[1].Number")


def test_copying_a_purchase_get_drop_id_and_number_post(kf):
    original = created(kf, example_body())
    copy = decimal_json(kf.get(f"/v2/purchases/{original['Number']}"))
    del copy["Id"], copy["Number"]
    again = created(kf, copy)
    assert again["Number"] != original["Number"]
    for key in ("NetAmount", "VATAmount", "GrossAmount", "HomeCurrencyGrossAmount", "SupplierCode", "DueDate"):
        assert again[key] == original[key]
    assert [(ln["Number"], ln["VATAmount"]) for ln in again["LineItems"]] == [
        (ln["Number"], ln["VATAmount"]) for ln in original["LineItems"]
    ]


def test_copying_a_paid_purchase_gives_the_copy_the_same_payments(kf, account):
    paid = [
        {"Date": "2030-01-11", "Amount": 20, "AccountId": account.pk, "Note": "first"},
        {"Date": "2030-01-12", "Amount": "30.50", "AccountId": account.pk, "Note": "second"},
    ]
    original = created(kf, body(PaymentLines=paid))
    copy = decimal_json(kf.get(f"/v2/purchases/{original['Number']}"))
    assert [p["Id"] for p in copy["PaymentLines"]] == [p["Id"] for p in original["PaymentLines"]]
    del copy["Id"], copy["Number"]
    again = created(kf, copy)

    def payments(purchase):
        return [(p["Date"], p["Amount"], p["Method"], p["AccountId"], p["Note"]) for p in purchase["PaymentLines"]]

    assert payments(again) == payments(original)
    assert [p["Amount"] for p in again["PaymentLines"]] == [D("20.00"), D("30.50")]
    assert not {p["Id"] for p in again["PaymentLines"]} & {p["Id"] for p in original["PaymentLines"]}
    assert again["TotalPaidAmount"] == original["TotalPaidAmount"] == D("50.50")
    kept = decimal_json(kf.get(f"/v2/purchases/{original['Number']}"))
    assert payments(kept) == payments(original)
    assert [p["Id"] for p in kept["PaymentLines"]] == [p["Id"] for p in original["PaymentLines"]]


def test_put_back_unchanged_changes_nothing(kf):
    purchase = created(kf, example_body())
    number = purchase["Number"]
    before = decimal_json(kf.get(f"/v2/purchases/{number}"))
    response = kf.put(f"/v2/purchases/{number}", before)
    assert response.status_code == 200, response.content
    after = decimal_json(kf.get(f"/v2/purchases/{number}"))
    assert after == before


def test_put_with_another_number_renumbers_the_purchase_201(kf):
    purchase = created(kf, body())
    data = decimal_json(kf.get(f"/v2/purchases/{purchase['Number']}"))
    data["Number"] = 900
    response = kf.put(f"/v2/purchases/{purchase['Number']}", data)
    assert response.status_code == 201 and response.json()["Number"] == 900
    assert kf.get(f"/v2/purchases/{purchase['Number']}").status_code == 404
    other = created(kf, body())
    data["Number"] = 900
    clash = kf.put(f"/v2/purchases/{other['Number']}", data)
    assert clash.status_code == 400 and "Number" in clash.json()["Message"]


# --- 4. optional fields and their defaults (§8) -----------------------------------


def test_due_date_left_out_is_issued_date_plus_the_suppliers_terms(kf):
    Supplier.objects.filter(code="08C").update(payment_terms_days=30)
    data = body()
    del data["DueDate"]
    assert created(kf, data)["DueDate"] == "2030-02-09 12:00:00"


def test_due_date_after_end_of_month_terms(kf):
    Supplier.objects.filter(code="08C").update(
        payment_terms_days=15, payment_terms_type=Supplier.PaymentTermsType.AFTER_END_OF_MONTH
    )
    data = body(IssuedDate="2030-02-10")
    del data["DueDate"]
    assert created(kf, data)["DueDate"] == "2030-03-15 12:00:00"


def test_issued_date_left_out_is_today_and_due_date_without_terms_is_that_day(kf):
    data = body()
    del data["IssuedDate"], data["DueDate"]
    purchase = created(kf, data)
    today = f"{timezone.localdate().isoformat()} 12:00:00"
    assert (purchase["IssuedDate"], purchase["DueDate"]) == (today, today)


def test_description_left_out_is_the_products_name_else_the_nominals(kf):
    first = line(ProductCode="Test121")
    second = line(NominalCode=7403)
    del first["Description"], second["Description"]
    purchase = created(kf, body(LineItems=[first, second]))
    assert [ln["Description"] for ln in purchase["LineItems"]] == ["Material", "Entertainment"]


def test_nominal_left_out_is_the_products_then_the_suppliers_default(kf):
    supplier = Supplier.objects.get(code="08C")
    supplier.default_nominal = NominalAccount.objects.get(code=7403)
    supplier.save()
    product_line, plain_line = line(ProductCode="Test121"), line()
    del product_line["NominalCode"], plain_line["NominalCode"]
    purchase = created(kf, body(LineItems=[product_line, plain_line]))
    assert [ln["NominalCode"] for ln in purchase["LineItems"]] == [5000, 7403]


def test_nominal_left_out_without_any_default_is_400_naming_the_line(kf):
    plain = line()
    del plain["NominalCode"]
    refused(kf, body(LineItems=[line(), plain]), "LineItems[1].NominalCode")


def test_payment_method_left_out_is_the_suppliers_then_the_setting(kf, account):
    cheque = PaymentMethod.objects.get(name="Cheque")
    payment = {"Date": "2030-01-12", "Amount": 10, "AccountId": account.pk}
    purchase = created(kf, body(PaymentLines=[payment]))
    assert purchase["PaymentLines"][0]["Method"] == PaymentMethod.objects.get(name="BACS").pk
    Supplier.objects.filter(code="08C").update(payment_method=cheque)
    purchase = created(kf, body(PaymentLines=[payment]))
    assert purchase["PaymentLines"][0]["Method"] == cheque.pk


@override_settings(KASHFLOW_DEFAULT_PAYMENT_METHOD="Carrier pigeon")
def test_payment_method_left_out_without_any_default_is_400(kf, account):
    payment = {"Date": "2030-01-12", "Amount": 10, "AccountId": account.pk}
    refused(kf, body(PaymentLines=[payment]), "PaymentLines[0].Method")


def test_quantity_left_out_is_one(kf):
    item = line(Rate=12)
    del item["Quantity"]
    assert created(kf, body(LineItems=[item]))["NetAmount"] == D("12.00")


def test_a_new_purchase_needs_a_line(kf):
    refused(kf, body(LineItems=[]), "LineItems")


# --- 5. a sent VATAmount is kept ----------------------------------------------------


def test_sent_vat_amount_is_kept(kf):
    purchase = created(kf, body(LineItems=[line(Quantity=2, Rate=D("10.04"), VATAmount=D("4.00"))]))
    assert purchase["LineItems"][0]["VATAmount"] == D("4.00")
    assert (purchase["VATAmount"], purchase["GrossAmount"]) == (D("4.00"), D("24.08"))


def test_vat_amount_left_out_is_computed(kf):
    purchase = created(kf, body(LineItems=[line(Quantity=2, Rate=D("10.04"))]))
    assert purchase["LineItems"][0]["VATAmount"] == D("4.02")


def test_sent_vat_amount_beyond_the_tolerance_is_400_naming_the_line(kf):
    refused(
        kf, body(LineItems=[line(), line(Quantity=2, Rate=D("10.04"), VATAmount=D("3.90"))]), "LineItems[1].VATAmount"
    )


@override_settings(KASHFLOW_VAT_TOLERANCE=D("0.20"))
def test_the_vat_tolerance_is_a_setting(kf):
    purchase = created(kf, body(LineItems=[line(Quantity=2, Rate=D("10.04"), VATAmount=D("3.90"))]))
    assert purchase["VATAmount"] == D("3.90")


# --- 7. header ProjectNumber --------------------------------------------------------


def test_header_project_applies_to_lines_without_one(kf):
    purchase = created(kf, body(ProjectNumber=2, LineItems=[line(), line(ProjectNumber=1)]))
    assert [ln["ProjectNumber"] for ln in purchase["LineItems"]] == [2, 1]
    assert purchase["ProjectNumber"] == 2


# --- 11. home currency --------------------------------------------------------------


def test_home_currency_with_a_rate_other_than_one_is_refused(kf):
    refused(kf, body(Currency={"Code": "GBP", "ExchangeRate": 2}), "Currency.ExchangeRate")


def test_home_currency_at_rate_one_and_left_out(kf):
    purchase = created(kf, body(Currency={"Code": "gbp", "ExchangeRate": 1}))
    assert purchase["HomeCurrencyGrossAmount"] == purchase["GrossAmount"] == D("120.00")
    assert created(kf, body())["HomeCurrencyGrossAmount"] == D("120.00")


# --- 6. CIS reverse charge and Type --------------------------------------------------


def test_cis_reverse_charge_charges_no_vat_and_reports_the_reverse_charge(kf):
    purchase = created(kf, body(IsCISReverseCharge=True, Type="expense"))
    assert (purchase["NetAmount"], purchase["VATAmount"], purchase["GrossAmount"]) == (
        D("100.00"),
        D("0.00"),
        D("100.00"),
    )
    assert (purchase["CISRCNetAmount"], purchase["CISRCVatAmount"]) == (D("100.00"), D("20.00"))
    assert purchase["IsCISReverseCharge"] is True and purchase["Type"] == "Expense"
    row = decimal_json(kf.get("/v2/purchases"))["Data"][0]
    assert (row["CISRCNetAmount"], row["CISRCVatAmount"], row["Type"]) == (D("100.00"), D("20.00"), "Expense")


def test_cis_and_type_default_to_the_suppliers_flag_and_purchase(kf):
    plain = created(kf, body())
    assert (plain["IsCISReverseCharge"], plain["Type"], plain["CISRCVatAmount"]) == (False, "Purchase", D("0.00"))
    Supplier.objects.filter(code="08C").update(is_cis_reverse_charge=True)
    assert created(kf, body())["CISRCVatAmount"] == D("20.00")
    assert created(kf, body(IsCISReverseCharge=False))["VATAmount"] == D("20.00")


def test_an_unknown_type_is_400(kf):
    refused(kf, body(Type="Invoice"), "Type")


# --- credit lines (negative quantities) ---------------------------------------------


def test_a_credit_line_has_a_negative_quantity(kf):
    purchase = created(kf, body(LineItems=[line(), line(Quantity=-1, Rate=25)]))
    assert (purchase["NetAmount"], purchase["VATAmount"]) == (D("75.00"), D("15.00"))


def test_a_negative_rate_or_a_negative_total_is_400(kf):
    refused(kf, body(LineItems=[line(), line(Rate=-25)]), "LineItems[1].Rate")
    refused(kf, body(LineItems=[line(Quantity=-2)]), "LineItems", "negative net amount")


# --- 2. case-insensitive names and codes --------------------------------------------


def test_supplier_code_in_any_case_on_create(kf):
    assert created(kf, body(SupplierCode="08c"))["SupplierCode"] == "08C"


def test_query_parameter_names_in_any_case(kf):
    created(kf, body())
    created(kf, body(SupplierCode="FOOD01"))
    data = decimal_json(kf.get("/v2/purchases?supplierCode=food01&PerPage=1&SortBy=number"))
    assert [row["SupplierCode"] for row in data["Data"]] == ["FOOD01"]
    assert data["MetaData"]["TotalRecords"] == 1
    xml = kf.get("/v2/purchases?Format=xml")
    assert xml["Content-Type"].startswith("application/xml")


def test_stock_received_on_a_product_line(kf):
    product = Product.objects.get(code="Test121")
    start = product.quantity_in_stock
    created(kf, body(LineItems=[line(ProductCode="Test121", Quantity=3, StockInfo={"Received": True})]))
    product.refresh_from_db()
    assert product.quantity_in_stock == start + 3
