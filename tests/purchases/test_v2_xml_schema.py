"""The XML that /v2's OpenAPI schema describes is the XML /v2 accepts: bodies
written from the schema (its ``xml`` objects: lists wrapped, items named) are
posted as application/xml and taken."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from apps.purchases.models import PaymentMethod, Supplier
from tests.purchases.conftest import decimal_json, example_body

pytestmark = pytest.mark.django_db


class XmlFromSchema:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.components = schema["components"]["schemas"]

    def resolve(self, spec: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in spec:
            return self.resolve(self.components[spec["$ref"].rsplit("/", 1)[-1]])
        if "allOf" in spec and len(spec["allOf"]) == 1:
            return {**self.resolve(spec["allOf"][0]), **{k: v for k, v in spec.items() if k != "allOf"}}
        return spec

    def document(self, root: str, value: Any, spec: dict[str, Any]) -> bytes:
        element = ET.Element(root)
        self.fill(element, value, spec)
        return ET.tostring(element, encoding="utf-8", xml_declaration=True)

    def fill(self, element: ET.Element, value: Any, spec: dict[str, Any]) -> None:
        spec = self.resolve(spec)
        if isinstance(value, dict):
            properties = spec.get("properties", {})
            for key, item in value.items():
                if item is None:
                    continue
                assert key in properties, f"{key} is not in the schema"
                prop = self.resolve(properties[key])
                if prop.get("type") == "array":
                    item_spec = prop["items"]
                    item_name = item_spec.get("xml", {}).get("name", key)
                    parent = ET.SubElement(element, key) if prop.get("xml", {}).get("wrapped") else element
                    for entry in item:
                        self.fill(ET.SubElement(parent, item_name), entry, item_spec)
                else:
                    self.fill(ET.SubElement(element, key), item, prop)
        elif isinstance(value, bool):
            element.text = "true" if value else "false"
        else:
            element.text = str(value)


@pytest.fixture
def xml_writer(client) -> XmlFromSchema:
    return XmlFromSchema(client.get("/api/schema/", HTTP_ACCEPT="application/json").json())


def _request_schema(xml_writer: XmlFromSchema, client, path: str, method: str) -> dict[str, Any]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    return schema["paths"][path][method]["requestBody"]["content"]["application/xml"]["schema"]


def test_the_schema_describes_every_v2_list_as_wrapped_named_items(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    purchase = schema["components"]["schemas"]["PurchaseInRequest"]["properties"]
    assert purchase["LineItems"]["xml"] == {"wrapped": True}
    assert purchase["LineItems"]["items"]["xml"] == {"name": "LineItem"}
    supplier = schema["components"]["schemas"]["SupplierInRequest"]["properties"]
    assert supplier["Contacts"]["items"]["xml"] == {"name": "Contact"}


def test_a_purchase_written_from_the_schema_as_xml_is_accepted(kf, client, xml_writer):
    body = json.loads(json.dumps(example_body()))
    xml = xml_writer.document("Purchase", body, _request_schema(xml_writer, client, "/v2/purchases", "post"))
    response = kf.post("/v2/purchases", raw=xml, content_type="application/xml")
    assert response.status_code == 201, response.content
    created = decimal_json(response)
    assert [line["Description"] for line in created["LineItems"]] == [line["Description"] for line in body["LineItems"]]


def test_a_supplier_with_several_contacts_written_from_the_schema_as_xml_is_accepted(kf, client, xml_writer):
    body = {
        "Code": "XML1",
        "Name": "Supplier in XML",
        "PaymentMethod": PaymentMethod.objects.get(name="Cheque").pk,
        "Contacts": [
            {"Name": "Ann", "Email": "ann@example.com", "IsPrimary": True},
            {"Name": "Bob", "Email": "bob@example.com", "IsPrimary": False},
        ],
        "WithholdingTaxReferences": [{"Name": "WHT", "Value": "12"}],
    }
    xml = xml_writer.document("Supplier", body, _request_schema(xml_writer, client, "/v2/suppliers", "post"))
    response = kf.post("/v2/suppliers", raw=xml, content_type="application/xml")
    assert response.status_code == 201, response.content
    stored = decimal_json(kf.get("/v2/suppliers/XML1"))
    assert [contact["Name"] for contact in stored["Contacts"]] == ["Ann", "Bob"]
    assert Supplier.objects.filter(code="XML1").exists()
