"""/v2 list pages in XML name each Data item as the single GET of one names its
root (``<SupplierList><Data><Supplier>``...), never ``<Purchase>``."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest

from apps.core import xml_guard
from apps.purchases.models import BankAccount

pytestmark = pytest.mark.django_db


def _items(kf, path: str, root: str) -> list[Element]:
    response = kf.get(path, Accept="application/xml")
    assert response.status_code == 200, response.content
    tree = xml_guard.parse(response.content)
    assert tree.tag == root
    data = tree.find("Data")
    assert data is not None
    return list(data)


@pytest.mark.parametrize(
    ("path", "root", "item", "single"),
    [
        ("/v2/suppliers", "SupplierList", "Supplier", "/v2/suppliers/08C"),
        ("/v2/projects", "ProjectList", "Project", "/v2/projects/2"),
        ("/v2/nominals", "NominalList", "Nominal", "/v2/nominals/5000"),
        ("/v2/bankaccounts", "BankAccountList", "BankAccount", None),
        ("/v2/bankaccounts/list", "BankAccountList", "BankAccount", None),
    ],
)
def test_reference_list_items_are_named_like_the_single_get(kf, path, root, item, single):
    items = _items(kf, path, root)
    assert items, f"{path} has no rows to check"
    assert {element.tag for element in items} == {item}
    if single is None:
        single = f"/v2/bankaccounts/{BankAccount.objects.get(name='Current Account').pk}"
    one = kf.get(single, Accept="application/xml")
    assert one.status_code == 200 and xml_guard.parse(one.content).tag == item
    assert items[0].find("Id") is not None


def test_purchase_list_items_stay_purchase(kf):
    body = {
        "SupplierCode": "08C",
        "IssuedDate": "2030-01-10",
        "DueDate": "2030-02-10",
        "LineItems": [{"Description": "x", "Quantity": 1, "Rate": 100, "VATLevel": 20, "NominalCode": 5000}],
    }
    assert kf.post("/v2/purchases", body).status_code == 201
    items = _items(kf, "/v2/purchases", "PurchaseList")
    assert items and {element.tag for element in items} == {"Purchase"}
