"""The JSON guard on every JSON door: KDP token, KDP invoice and AP imports,
Xunlian, KashFlow /v2. Hostile bodies get the door's own envelope (400 or 413,
never a 500) and nothing is stored or queued."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.exceptions import ParseError

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core import json_guard
from apps.core.models import ApiToken, ImportJob
from apps.core.scopes import scopes_implied_by_sys
from apps.core.services import api_client_create, api_token_issue
from apps.invoices.models import Invoice
from apps.purchases.models import Purchase
from apps.purchases.sessions import issue_long_lived_token, kashflow_user_create
from apps.reconciliation.models import ReconciliationStatement
from tests.conftest import KdpCaller
from tests.reconciliation.conftest import XunlianCaller

MAX_STRING = 1000


@pytest.fixture(autouse=True)
def _small_string_limit(settings: Any) -> None:
    settings.JSON_MAX_STRING_LENGTH = MAX_STRING


def nested_arrays(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_objects(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


# Each hostile thing, as a JSON fragment that is one value.
HOSTILE: dict[str, tuple[str, int, str]] = {
    # name: (value, status, text in the message)
    "nested 10,000 arrays": (nested_arrays(10_000), 400, "nested more than 64 levels"),
    "nested 10,000 objects": (nested_objects(10_000), 400, "nested more than 64 levels"),
    "nested 65 levels": (nested_arrays(64), 400, "nested more than 64 levels"),
    "lone low surrogate": ('"abc\\udc00"', 400, "lone surrogate"),
    "lone high surrogate": ('"\\ud800x"', 400, "lone surrogate"),
    "high surrogate at the end": ('"x\\uD800"', 400, "lone surrogate"),
    "duplicate key": ('{"k": 1, "k": 2}', 400, 'repeats the key "k"'),
    "string one over the limit": ('"' + "x" * (MAX_STRING + 1) + '"', 413, "longer than 1000 characters"),
    "huge string": ('"' + "x" * (MAX_STRING * 50) + '"', 413, "longer than 1000 characters"),
    "key over the limit": ('{"' + "k" * (MAX_STRING + 1) + '": 1}', 413, "longer than 1000 characters"),
}


@dataclass
class Door:
    name: str
    post: Callable[[Any, bytes], Any]
    wrap: Callable[[str], str]  # puts the hostile value where the door reads a field
    status_and_message: Callable[[Any], tuple[int, str]]  # from the envelope
    stored: Callable[[], int]


def _kdp_envelope(response: Any) -> tuple[int, str]:
    body = response.json()
    assert response.status_code == body["code"]
    return body["code"], body["msg"]


def _xunlian_envelope(response: Any) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False and body["status"]["returnCode"] == str(response.status_code)
    return response.status_code, body["status"]["message"]


def _kashflow_envelope(response: Any) -> tuple[int, str]:
    body = response.json()
    expected = {400: "MalformedRequest", 413: "PayloadTooLarge"}[response.status_code]
    assert body["Error"] == expected
    return response.status_code, body["Message"]


@pytest.fixture
def doors(client: Any, db: None) -> dict[str, Door]:
    sap = api_client_create(name="SAP PP", sys="pp", scopes=scopes_implied_by_sys("pp"))
    kdp = KdpCaller(client, api_token_issue(app_key=sap.app_key, app_secret=sap.app_secret).token)
    gateway = api_client_create(name="Xunlian gateway", sys="xl", scopes=scopes_implied_by_sys("xl"))
    xunlian = XunlianCaller(client, api_token_issue(app_key=gateway.app_key, app_secret=gateway.app_secret).token)
    user = kashflow_user_create(username="alice", password="S3cret-pass!", memorable_word="pineapple")
    kf_token = issue_long_lived_token(user, label="tests")

    def token_post(_client: Any, data: bytes) -> Any:
        return client.generic("POST", "/inventory-server/api/auth/token", data, content_type="application/json")

    def kashflow_post(_client: Any, data: bytes) -> Any:
        return client.generic(
            "POST", "/v2/purchases", data, content_type="application/json", HTTP_AUTHORIZATION=f"KfToken {kf_token}"
        )

    def import_rows(value: str) -> str:
        return '[{"orderId": "SO-1", "invoiceId": ' + value + "}]"

    def queued_imports() -> int:
        return ImportJob.objects.exclude(status=ImportJob.Status.FAILED).count()

    return {
        "kdp token": Door(
            "kdp token",
            token_post,
            lambda value: '{"appKey": "k", "appSecret": ' + value + "}",
            _kdp_envelope,
            lambda: ApiToken.objects.count() - 2,
        ),
        "kdp invoices": Door(
            "kdp invoices",
            lambda _c, data: kdp.post("/inventory-server/api/invoice/report/info", None, raw=data),
            import_rows,
            _kdp_envelope,
            lambda: Invoice.objects.count() + queued_imports(),
        ),
        "kdp ap balance": Door(
            "kdp ap balance",
            lambda _c, data: kdp.post("/inventory-server/api/invoice/report/ap/balance", None, raw=data),
            import_rows,
            _kdp_envelope,
            lambda: SnapshotLine.objects.count() + Snapshot.objects.count() + queued_imports(),
        ),
        "xunlian": Door(
            "xunlian",
            lambda _c, data: xunlian.post(raw=data),
            lambda value: '{"reconciliationNo": "R-1", "itemList": [{"itemNo": ' + value + "}]}",
            _xunlian_envelope,
            lambda: ReconciliationStatement.objects.count(),
        ),
        "kashflow v2": Door(
            "kashflow v2",
            kashflow_post,
            lambda value: '{"SupplierCode": "S1", "LineItems": [{"Description": ' + value + "}]}",
            _kashflow_envelope,
            lambda: Purchase.objects.count(),
        ),
    }


DOOR_NAMES = ["kdp token", "kdp invoices", "kdp ap balance", "xunlian", "kashflow v2"]


@pytest.mark.parametrize("door_name", DOOR_NAMES)
@pytest.mark.parametrize("case", list(HOSTILE))
def test_every_json_door_refuses_hostile_bodies_in_its_envelope(
    doors: dict[str, Door], client: Any, door_name: str, case: str
) -> None:
    door = doors[door_name]
    value, status, text = HOSTILE[case]
    before = door.stored()
    response = door.post(client, door.wrap(value).encode())
    assert response.status_code == status, response.content[:300]
    got_status, message = door.status_and_message(response)
    assert got_status == status
    assert text in message
    assert door.stored() == before


@pytest.mark.parametrize("door_name", DOOR_NAMES)
def test_a_valid_astral_character_and_a_string_at_the_limit_pass_the_guard(
    doors: dict[str, Door], client: Any, door_name: str
) -> None:
    """The guard refuses only what it must: a surrogate pair is one character and a
    string of exactly the limit is fine (what follows is the door's own validation)."""
    door = doors[door_name]
    for value in ('"\\ud83d\\ude00"', '"' + "x" * MAX_STRING + '"', nested_arrays(3)):
        response = door.post(client, door.wrap(value).encode())
        assert response.status_code not in (413, 500)
        answer = response.content.decode()
        for refused in ("nested more than", "lone surrogate", "repeats the key", "longer than"):
            assert refused not in answer


def test_the_guard_speaks_the_callers_language(client: Any, db: None) -> None:
    gateway = api_client_create(name="Xunlian gateway", sys="xl", scopes=scopes_implied_by_sys("xl"))
    xunlian = XunlianCaller(client, api_token_issue(app_key=gateway.app_key, app_secret=gateway.app_secret).token)
    response = xunlian.post(raw=b'{"k": 1, "k": 2}', language=None)  # Xunlian: Chinese by default
    assert response.status_code == 400
    assert response.json()["status"]["message"] == '请求体 JSON 在同一对象中重复了键 "k"（位置：顶层）。'
    assert response.json()["status"]["serviceCode"] == "MALFORMED_JSON"


# --- the streamed parser itself ---------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 4096])
def test_the_streamed_array_parser_agrees_with_json_loads_at_any_read_size(chunk_size: int) -> None:
    rows = [
        {"a": 'x\\"y' * 5, "b": [1, -2.5, 3e5, None, True], "c": {"d": "é😀"}, "e": 12345678901234567890},
        [],
        "\\" * 9,
        0.000125,
    ]
    body = json.dumps(rows, indent=1).encode()
    limits = json_guard.JsonLimits(max_depth=8, max_string_length=100)
    from decimal import Decimal

    assert list(json_guard.iter_array(io.BytesIO(body), limits=limits, chunk_size=chunk_size)) == json.loads(
        body, parse_float=Decimal
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"[1,]", ParseError),
        (b"[1 2]", ParseError),
        (b"[1]x", ParseError),
        (b"[NaN]", ParseError),
        (b"[1e99999999999]", None),
        (b'[{"a": "\xff"}]', ParseError),
        (b"[" + b"9" * 5000 + b"]", ParseError),
        (b'[{"a": 1}, {"a": 1, "b": {"c": 1, "c": 2}}]', json_guard.JsonDuplicateKey),
        (b'["' + b"x" * 5000, json_guard.JsonStringTooLong),
    ],
)
def test_the_streamed_array_parser_refuses_what_json_does_not_allow(body: bytes, error: type[Exception] | None) -> None:
    limits = json_guard.JsonLimits(max_depth=8, max_string_length=100)
    if error is None:
        assert len(list(json_guard.iter_array(io.BytesIO(body), limits=limits, chunk_size=3))) == 1
        return
    with pytest.raises(error):
        list(json_guard.iter_array(io.BytesIO(body), limits=limits, chunk_size=3))


def test_an_over_long_string_in_a_stream_is_refused_before_the_rest_is_read() -> None:
    limits = json_guard.JsonLimits(max_depth=8, max_string_length=1000)
    body = io.BytesIO(b'[{"a": "' + b"x" * 10_000_000 + b'"}]')
    with pytest.raises(json_guard.JsonStringTooLong) as caught:
        list(json_guard.iter_array(body, limits=limits, chunk_size=4096))
    assert body.tell() < 100_000
    assert caught.value.where == "row 0"


def test_drfs_parser_applies_the_guard_with_drfs_errors(settings: Any) -> None:
    from apps.core.json_guard import GuardedJSONParser, RequestTooLarge

    parser = GuardedJSONParser()
    assert parser.parse(io.BytesIO(b'{"amount": 1.10}')) == {"amount": Decimal("1.10")}
    with pytest.raises(ParseError, match='repeats the key "a"'):
        parser.parse(io.BytesIO(b'{"a": 1, "a": 2}'))
    with pytest.raises(ParseError, match="nested more than 64"):
        parser.parse(io.BytesIO(nested_arrays(5000).encode()))
    with pytest.raises(RequestTooLarge, match="longer than 1000"):
        parser.parse(io.BytesIO(b'"' + b"x" * 1001 + b'"'))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    with pytest.raises(RequestTooLarge, match="larger than the limit of 10 bytes"):
        parser.parse(io.BytesIO(b'{"a": "0123456789"}'))


# --- XML bodies on /v2: the same kind of limits -------------------------------------------

XML_HOSTILE = {
    "entity expansion": (
        '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<Purchase><SupplierCode>&b;</SupplierCode></Purchase>",
        400,
        "DOCTYPE",
    ),
    "a DOCTYPE after a long comment": (
        "<!--" + " " * 8000 + '--><!DOCTYPE Purchase SYSTEM "http://127.0.0.1:9/x.dtd"><Purchase/>',
        400,
        "DOCTYPE",
    ),
    "nested 10,000 elements": ("<Purchase>" + "<a>" * 10_000 + "</a>" * 10_000 + "</Purchase>", 400, "64 levels"),
    "text over the limit": (
        "<Purchase><SupplierCode>" + "x" * (MAX_STRING + 1) + "</SupplierCode></Purchase>",
        413,
        "longer than 1000",
    ),
    "a lone surrogate reference": (
        "<Purchase><SupplierCode>&#xD800;</SupplierCode></Purchase>",
        400,
        "invalid character",
    ),
    "a NUL reference": ("<Purchase><SupplierCode>&#0;</SupplierCode></Purchase>", 400, "invalid character"),
    "a repeated element": (
        "<Purchase><SupplierCode>A</SupplierCode><SupplierCode>B</SupplierCode></Purchase>",
        400,
        "<SupplierCode> appears more than once",
    ),
}


@pytest.fixture
def v2_token(db: None) -> str:
    user = kashflow_user_create(username="bob", password="S3cret-pass!", memorable_word="pineapple")
    return issue_long_lived_token(user, label="tests")


@pytest.mark.parametrize("case", list(XML_HOSTILE))
def test_xml_bodies_on_v2_are_guarded_too(client: Any, v2_token: str, case: str) -> None:
    body, status, text = XML_HOSTILE[case]
    response = client.generic(
        "POST",
        "/v2/purchases",
        body.encode(),
        content_type="application/xml",
        HTTP_AUTHORIZATION=f"KfToken {v2_token}",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == status, response.content[:300]
    assert response.json()["Error"] == {400: "MalformedRequest", 413: "PayloadTooLarge"}[status]
    assert text in response.json()["Message"]
    assert not Purchase.objects.exists()


def test_an_integer_too_long_for_python_is_a_clear_parse_error() -> None:
    from rest_framework.exceptions import ParseError

    with pytest.raises(ParseError) as caught:
        json_guard.loads(b'{"quantity": ' + b"9" * 5000 + b"}")
    assert "5000 digits is longer than any field holds" in str(caught.value.detail)
    assert "set_int_max_str_digits" not in str(caught.value.detail)


def test_the_drf_json_parser_refuses_a_body_declared_in_another_charset() -> None:
    from apps.core.exceptions import UnsupportedMediaTypeError
    from apps.core.json_guard import GuardedJSONParser

    with pytest.raises(UnsupportedMediaTypeError) as refused:
        GuardedJSONParser().parse(io.BytesIO(b"{}"), "application/json; charset=latin-1")
    assert refused.value.status_code == 415
    assert GuardedJSONParser().parse(io.BytesIO(b'{"a": 1}'), "application/json; charset=utf-8") == {"a": 1}
