"""Suppliers in the admin: what KashFlow keeps of a supplier (VAT number,
payment terms, defaults for new purchases, address, contacts), and codes unique
in any letter case."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.purchases.models import NominalAccount, PaymentMethod, Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, demo):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345-long")
    client.force_login(user)
    return client


def supplier_form(**overrides):
    data = {
        "code": "ACME",
        "name": "Acme Ltd",
        "vat_number": "GB999999973",
        "email": "",
        "payment_terms_type": "AfterIssuedDate",
        "payment_terms_days": "30",
        "default_nominal": str(NominalAccount.objects.get(code=7500).pk),
        "payment_method": str(PaymentMethod.objects.get(name="BACS").pk),
        "currency_code": "GBP",
        "exchange_rate": "",
        "trade_border_type": "Domestic",
        "default_vat_rate": "",
        "withholding_tax_rate": "",
        "withholding_tax_references": "[]",
        "unique_entity_number": "",
        "address_line1": "1 High Street",
        "address_line2": "",
        "address_line3": "",
        "address_line4": "",
        "post_code": "AB1 2CD",
        "country_code": "GB",
        "bank_account_name": "",
        "bank_account_number": "",
        "bank_sort_code": "",
        "note": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-is_primary": "on",
        "contacts-0-name": "Ann Accounts",
        "contacts-0-email": "ann@acme.example",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_supplier_with_terms_defaults_address_and_a_contact(staff):
    response = staff.post(reverse("admin:purchases_supplier_add"), supplier_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    supplier = Supplier.objects.get(code="ACME")
    assert supplier.vat_number == "GB999999973"
    assert (supplier.payment_terms_type, supplier.payment_terms_days) == ("AfterIssuedDate", 30)
    assert supplier.default_nominal.code == 7500 and supplier.payment_method.name == "BACS"
    assert (supplier.address_line1, supplier.post_code, supplier.country_code) == ("1 High Street", "AB1 2CD", "GB")
    contact = supplier.contacts.get()
    assert (contact.name, contact.email, contact.is_primary) == ("Ann Accounts", "ann@acme.example", True)
    # Found by VAT number in the supplier search.
    listing = staff.get(reverse("admin:purchases_supplier_changelist"), {"q": "GB999999973"})
    assert "Acme Ltd" in listing.content.decode()


def test_a_code_that_differs_only_in_case_is_refused(staff):
    response = staff.post(reverse("admin:purchases_supplier_add"), supplier_form(code="08c", vat_number=""))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not Supplier.objects.filter(code="08c").exists()
    assert Supplier.objects.by_code("08c").get().code == "08C"


def test_withholding_references_are_explained_in_the_viewers_language(staff):
    supplier = Supplier.objects.create(code="WHT", name="Withholding Ltd")
    url = reverse("admin:purchases_supplier_change", args=[supplier.pk])
    english = staff.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A list of references, each with its name and value" in english
    staff.cookies["django_language"] = "zh-hans"
    chinese = staff.get(url).content.decode()
    assert "参考项列表，每项填写名称（Name）和值（Value）" in chinese
    assert "A list of" not in chinese
