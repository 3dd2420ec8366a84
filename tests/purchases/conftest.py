"""Fixtures of the KashFlow API tests: the demo reference data (what the worked
example refers to), an API user with a long-lived token, and a small client."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from apps.purchases.demo import load_demo_data
from apps.purchases.models import BankAccount, PaymentMethod, Purchase
from apps.purchases.sessions import issue_long_lived_token, kashflow_user_create

SPECS = Path(settings.BASE_DIR).parent / "shared" / "specs"
EXAMPLE_PATH = SPECS / "examples" / "purchase-create.json"
USERNAME, PASSWORD, MEMORABLE = "alice", "S3cret-pass!", "pineapple"


def example_body() -> dict[str, Any]:
    if EXAMPLE_PATH.exists():
        return json.loads(EXAMPLE_PATH.read_text())
    return json.loads(FALLBACK_EXAMPLE)


# The sample of shared/specs/examples/purchase-create.json, for a checkout without shared/.
FALLBACK_EXAMPLE = """{
  "Currency": {"Code": "AUD", "ExchangeRate": 2.0},
  "IssuedDate": "2014-01-10 12:00:00", "DueDate": "2014-01-10 12:00:00",
  "SupplierCode": "08C", "SupplierReference": "wieu231", "AdditionalFieldValue": "123",
  "LineItems": [
    {"Description": "product description", "Quantity": 3, "Rate": 15.00, "VATLevel": 13.5,
     "VATExempt": false, "NominalCode": 5000, "ProductCode": "Test121", "ProjectNumber": 2},
    {"Description": "line item 2", "Quantity": 10, "Rate": 12.00, "VATLevel": 20,
     "VATExempt": false, "NominalCode": 7403, "ProjectNumber": 1}
  ],
  "PaymentLines": []
}"""


class KashflowClient:
    """Calls /v2 with ``Authorization: KfToken``; JSON unless told otherwise."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        meta = {}
        if self.token:
            meta["HTTP_AUTHORIZATION"] = f"KfToken {self.token}"
        for key, value in headers.items():
            meta["HTTP_" + key.upper().replace("-", "_")] = value
        return meta

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, **self._headers(headers))

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, **self._headers(headers))

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Any:
        data = raw if raw is not None else json.dumps(body, default=str)
        return self.client.generic(method, path, data, content_type=content_type, **self._headers(headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PUT", path, body, **kwargs)


def decimal_json(response: Any) -> Any:
    return json.loads(response.content, parse_float=Decimal)


@pytest.fixture
def demo(db: None) -> None:
    load_demo_data()
    # Tests build their own purchases.
    Purchase.objects.all().delete()


@pytest.fixture
def kf_user(db: None) -> Any:
    return kashflow_user_create(username=USERNAME, password=PASSWORD, memorable_word=MEMORABLE)


@pytest.fixture
def kf_token(kf_user: Any) -> str:
    return issue_long_lived_token(kf_user, label="tests")


@pytest.fixture
def kf(client: Any, kf_token: str, demo: None) -> KashflowClient:
    return KashflowClient(client, kf_token)


@pytest.fixture
def anon(client: Any, demo: None) -> KashflowClient:
    return KashflowClient(client, None)


@pytest.fixture
def account() -> BankAccount:
    return BankAccount.objects.get(name="Current Account")


@pytest.fixture
def method() -> PaymentMethod:
    return PaymentMethod.objects.get(name="BACS")
