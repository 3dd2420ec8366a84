"""A KashFlow sync program's session replayed through the real URLs: sign in
(both key casings), read the reference data, list purchases per supplier code
(``supplierCode=`` in mixed case) following NextPageUrl, fetch each detail,
create KashFlow's example with line numbers, copy it, PUT it back unchanged,
and an incremental list by issued date."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from apps.purchases.models import Purchase, Supplier
from apps.purchases.services import LineInput, PurchaseInput, purchase_create
from tests.purchases.conftest import MEMORABLE, PASSWORD, USERNAME, example_body

pytestmark = pytest.mark.django_db


class Client:
    """What a KashFlow client does: absolute URLs from MetaData, KfToken header,
    Decimal numbers."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = ""

    def call(self, method: str, url: str, body: Any = None) -> Any:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"HTTP_AUTHORIZATION": f"KfToken {self.token}"} if self.token else {}
        data = json.dumps(body, default=str) if body is not None else ""
        response = self.client.generic(method, path, data, content_type="application/json", **headers)
        payload = json.loads(response.content, parse_float=Decimal) if response.content else None
        return response.status_code, payload

    def sign_in(self, step1_body: dict[str, str]) -> None:
        status, step1 = self.call("POST", "/v2/sessiontoken", step1_body)
        assert status == 201, step1
        word = [{"Position": i["Position"], "Value": MEMORABLE[i["Position"] - 1]} for i in step1["MemorableWordList"]]
        status, step2 = self.call(
            "PUT", "/v2/sessiontoken", {"temporaryToken": step1["TemporaryToken"], "memorableWordList": word}
        )
        assert status == 200, step2
        self.token = step2["SessionToken"]

    def every_page(self, url: str) -> tuple[list[dict[str, Any]], int]:
        rows: list[dict[str, Any]] = []
        total = None
        while url:
            status, page = self.call("GET", url)
            assert status == 200, page
            rows.extend(page["Data"])
            total = page["MetaData"]["TotalRecords"] if total is None else total
            url = page["MetaData"]["NextPageUrl"]
        return rows, total or 0


def _seed() -> dict[str, int]:
    """Three suppliers with 5, 3 and 0 purchases (issued over three dates)."""
    Supplier.objects.create(code="ACME", name="Acme Ltd", payment_terms_days=30)
    Supplier.objects.create(code="NONE", name="No Bills Ltd")
    today = timezone.localdate()
    counts = {"ACME": 5, "08C": 3}
    for code, count in counts.items():
        for i in range(count):
            purchase_create(
                PurchaseInput(
                    supplier_code=code,
                    issued_date=today.replace(day=1) if i % 2 else today,
                    due_date=None,
                    lines=[LineInput(description="x", quantity=Decimal(1), rate=Decimal(10 + i), nominal_code=5000)],
                )
            )
    return counts


def test_a_kashflow_sync_session_runs_unchanged(client, kf_user, demo):
    counts = _seed()
    kf = Client(client)
    # Sign in, once with KashFlow's key casing and once as some clients send it.
    kf.sign_in({"username": USERNAME.upper(), "password": PASSWORD})
    kf.sign_in({"UserName": USERNAME, "Password": PASSWORD})

    # Reference data first, as sync programs do.
    suppliers, total = kf.every_page("/v2/suppliers?perpage=2")
    assert total == len(suppliers) == Supplier.objects.count()
    projects, _ = kf.every_page("/v2/projects")
    assert {p["Number"] for p in projects} == {1, 2}
    nominals, _ = kf.every_page("/v2/nominals")
    assert 5000 in {n["Code"] for n in nominals}
    customers, total = kf.every_page("/v2/customers")
    assert customers == [] and total == 0
    accounts, _ = kf.every_page("/v2/bankaccounts")
    assert accounts

    # Purchases per supplier code, parameter name in mixed case, page by page.
    seen: set[int] = set()
    for supplier in suppliers:
        code = supplier["Code"]
        rows, total = kf.every_page(f"/v2/purchases?supplierCode={code.lower()}&perPage=2")
        assert total == len(rows) == counts.get(code, 0), code
        assert {row["SupplierCode"] for row in rows} <= {code}
        for row in rows:
            status, detail = kf.call("GET", f"/v2/purchases/{row['Number']}")
            assert status == 200 and detail["Number"] == row["Number"]
            assert (detail["GrossAmount"], detail["DueDate"]) == (row["GrossAmount"], row["DueDate"])
            seen.add(row["Number"])
    assert seen == set(Purchase.objects.values_list("number", flat=True))  # each purchase once

    # KashFlow's own example, with line numbers.
    example = example_body()
    for n, line in enumerate(example["LineItems"], start=1):
        line["Number"] = n
    status, created = kf.call("POST", "/v2/purchases", example)
    assert status == 201, created
    assert created["GrossAmount"] == Decimal("195.08") and [ln["Number"] for ln in created["LineItems"]] == [1, 2]

    # Copy it: GET, drop Id and Number, POST.
    status, copy = kf.call("GET", f"/v2/purchases/{created['Number']}")
    del copy["Id"], copy["Number"]
    status, copied = kf.call("POST", "/v2/purchases", copy)
    assert status == 201, copied
    assert copied["Number"] != created["Number"] and copied["GrossAmount"] == created["GrossAmount"]

    # PUT it back unchanged: nothing changes.
    status, before = kf.call("GET", f"/v2/purchases/{created['Number']}")
    status, replaced = kf.call("PUT", f"/v2/purchases/{created['Number']}", before)
    assert status == 200, replaced
    status, after = kf.call("GET", f"/v2/purchases/{created['Number']}")
    assert after == before

    # Incremental sync: only what was issued from a date on (KashFlow's example
    # was issued in 2014, so it is not in it).
    since = timezone.localdate().isoformat()
    rows, total = kf.every_page(f"/v2/purchases?IssueDateFrom={since}&perpage=3")
    expected = Purchase.objects.filter(issued_date__gte=since).count()
    assert total == len(rows) == expected
    assert all(row["IssuedDate"] >= since for row in rows)
    assert expected < Purchase.objects.count()
