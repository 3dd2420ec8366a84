"""POST /reconciliation/saveReconForApi: the envelope, authentication, the wire's
own failures, the duplicate number in both languages, and concurrency."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from apps.core import messages as core_messages
from apps.core.models import ApiToken
from apps.reconciliation import messages
from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit
from tests.reconciliation.conftest import SAVE_URL, XunlianCaller, example_statement

TIME_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EXAMPLE_FILE = "/".join(["tests", "reconciliation", "example_statement.json"])


def assert_envelope(response, *, ok: bool, return_code: str, service_code: str, path: str = SAVE_URL) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert set(body) == {"body", "ok", "status"}
    assert body["ok"] is ok
    status = body["status"]
    assert set(status) == {"description", "message", "path", "returnCode", "serviceCode", "time"}
    assert status["returnCode"] == return_code
    assert status["serviceCode"] == service_code
    assert status["path"] == path
    assert TIME_FORMAT.match(status["time"]), status["time"]
    if not ok:
        assert body["body"] == {}
    return body


def test_the_example_is_accepted_and_found_by_the_read_api(xunlian, client, gateway_token):
    with open(EXAMPLE_FILE, "rb") as example:
        response = xunlian.post(raw=example.read())
    assert response.status_code == 200
    body = assert_envelope(response, ok=True, return_code="200", service_code="SUCCESS")
    assert body["status"]["message"] == str(messages.STATEMENT_RECEIVED)
    uuid = body["body"]["reconciliationUuid"]

    statement = ReconciliationStatement.objects.get(public_id=uuid)
    assert statement.reconciliation_no == "hailan-API-Buy1557883270376"
    assert statement.currency == "CNY"
    assert statement.status == ReconciliationStatement.Status.RECEIVED
    assert statement.client.name == "Xunlian gateway"
    assert statement.start_time.isoformat() == "2019-05-15T01:21:55.047000+00:00"
    line = statement.lines.get()
    assert line.unit.code == "EA"
    assert line.unit_price == Decimal("4179.43")
    assert line.amount == Decimal("41794.3")
    assert line.tax_percent == Decimal("0.06")

    found = client.get(f"/api/v1/reconciliations/{uuid}/", HTTP_AUTHORIZATION=f"Token {gateway_token}")
    assert found.status_code == 200
    assert found.json()["reconciliation_no"] == "hailan-API-Buy1557883270376"
    assert found.json()["lines"][0]["amount"] == "41794.3000"


def test_success_message_is_chinese_by_default(xunlian):
    response = xunlian.post(example_statement(), language=None)
    assert response.json()["ok"] is True
    assert response.json()["status"]["message"] == "对账单已接收。"


def test_the_kdp_token_header_is_accepted(xunlian):
    response = xunlian.post(example_statement(), auth="token")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_duplicate_number_is_ok_false_in_chinese_exactly(xunlian):
    assert xunlian.post(example_statement(), language=None).json()["ok"] is True
    response = xunlian.post(example_statement(), language=None)
    assert response.status_code == 200
    body = assert_envelope(response, ok=False, return_code="200", service_code="DUPLICATE_RECONCILIATION_NO")
    assert body["status"]["message"] == "对账单号已经存在"
    assert ReconciliationStatement.objects.count() == 1
    assert StatementLine.objects.count() == 1


def test_duplicate_number_in_english_with_accept_language_en(xunlian):
    xunlian.post(example_statement())
    response = xunlian.post(example_statement(), language="en-US,en;q=0.9")
    body = assert_envelope(response, ok=False, return_code="200", service_code="DUPLICATE_RECONCILIATION_NO")
    assert body["status"]["message"] == "The statement number already exists"
    assert ReconciliationStatement.objects.count() == 1


def test_a_duplicate_with_other_lines_does_not_touch_the_first_statement(xunlian):
    xunlian.post(example_statement())
    changed = example_statement(supplierCompanyName="Someone else")
    changed["itemList"][0]["itemNo"] = "99"
    assert xunlian.post(changed).json()["ok"] is False
    statement = ReconciliationStatement.objects.get()
    assert statement.supplier_name == "兰馨谷开票测试"
    assert list(statement.lines.values_list("item_no", flat=True)) == ["01"]


def test_missing_token_is_401_in_the_envelope(xunlian):
    response = xunlian.post(example_statement(), auth=None)
    assert response.status_code == 401
    body = assert_envelope(response, ok=False, return_code="401", service_code="UNAUTHENTICATED")
    assert body["status"]["message"] == str(messages.UNAUTHENTICATED)
    assert response["WWW-Authenticate"] == "Token"
    assert not ReconciliationStatement.objects.exists()


def test_unknown_token_is_401(xunlian):
    response = xunlian.post(example_statement(), token="not-a-token")
    assert response.status_code == 401
    body = assert_envelope(response, ok=False, return_code="401", service_code="UNAUTHENTICATED")
    assert body["status"]["message"] == str(messages.TOKEN_INVALID)
    assert not ReconciliationStatement.objects.exists()


def test_revoked_token_in_the_token_header_is_401(xunlian):
    from django.utils import timezone

    ApiToken.objects.update(revoked_at=timezone.now())
    response = xunlian.post(example_statement(), auth="token")
    assert response.status_code == 401
    assert response.json()["ok"] is False
    assert not ReconciliationStatement.objects.exists()


def test_a_staff_session_is_not_an_api_client(admin_client):
    caller = XunlianCaller(admin_client, "")
    response = caller.post(example_statement(), auth=None)
    assert response.status_code == 401
    assert response.json()["ok"] is False


def test_the_seeds_own_body_with_a_trailing_comma_is_malformed_json_400(xunlian):
    raw = b'{"reconciliationNo": "x", "itemList": [{"itemNo": "01",}]}'
    response = xunlian.post(raw=raw)
    assert response.status_code == 400
    body = assert_envelope(response, ok=False, return_code="400", service_code="MALFORMED_JSON")
    assert body["status"]["message"].startswith("The body is not valid JSON")
    assert not ReconciliationStatement.objects.exists()


def test_malformed_json_message_is_chinese_by_default(xunlian):
    response = xunlian.post(raw=b"{", language=None)
    assert response.status_code == 400
    assert response.json()["status"]["message"].startswith("请求体不是有效的 JSON")


@pytest.mark.parametrize("raw", [b"", b"   ", b'{"quantity": NaN}', b'"\\ud800"', b"\xff\xfe"])
def test_empty_nan_or_undecodable_bodies_are_400(xunlian, raw):
    response = xunlian.post(raw=raw)
    assert response.status_code == 400
    assert_envelope(response, ok=False, return_code="400", service_code="MALFORMED_JSON")


def test_wrong_content_type_is_415(xunlian):
    response = xunlian.post(raw=b"reconciliationNo=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    body = assert_envelope(response, ok=False, return_code="415", service_code="UNSUPPORTED_MEDIA_TYPE")
    assert body["status"]["message"] == str(core_messages.UNSUPPORTED_MEDIA_TYPE)


def test_a_body_in_another_charset_is_415_and_stores_nothing(xunlian):
    response = xunlian.post(raw="{}".encode("latin-1"), content_type="application/json; charset=ISO-8859-1")
    assert response.status_code == 415
    body = assert_envelope(response, ok=False, return_code="415", service_code="UNSUPPORTED_MEDIA_TYPE")
    assert body["status"]["message"] == str(core_messages.CHARSET_NOT_UTF8.format(charset="iso-8859-1"))


def test_a_body_over_the_limit_is_413_and_stores_nothing(xunlian, settings):
    settings.RECONCILIATION_MAX_BODY_BYTES = 200
    response = xunlian.post(example_statement())
    assert response.status_code == 413
    body = assert_envelope(response, ok=False, return_code="413", service_code="PAYLOAD_TOO_LARGE")
    assert body["status"]["message"] == str(core_messages.BODY_TOO_LARGE.format(limit=200))
    assert not ReconciliationStatement.objects.exists()


def test_a_body_within_the_limit_passes(xunlian, settings):
    settings.RECONCILIATION_MAX_BODY_BYTES = 2000
    assert xunlian.post(example_statement()).json()["ok"] is True


def test_unknown_url_under_the_prefix_is_404_in_the_envelope(client, db):
    response = client.post("/reconciliation/nothing/here", {}, content_type="application/json")
    assert response.status_code == 404
    body = assert_envelope(
        response, ok=False, return_code="404", service_code="NOT_FOUND", path="/reconciliation/nothing/here"
    )
    assert body["status"]["message"] == "接口不存在。"


def test_wrong_method_is_405_in_the_envelope(client, gateway_token):
    response = client.get(SAVE_URL, HTTP_AUTHORIZATION=f"Token {gateway_token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert_envelope(response, ok=False, return_code="405", service_code="METHOD_NOT_ALLOWED")


def test_unexpected_error_is_500_in_the_envelope_with_an_error_id(xunlian, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("apps.reconciliation.api.views.statement_create", boom)
    response = xunlian.post(example_statement())
    assert response.status_code == 500
    body = assert_envelope(response, ok=False, return_code="500", service_code="SERVER_ERROR")
    assert re.search(r"error id [0-9a-f]{32}", body["status"]["message"])
    assert "disk on fire" not in response.content.decode()


def test_unknown_fields_are_ignored(xunlian):
    body = example_statement(somethingNew="x")
    body["itemList"][0].update({"realStoreQuantity": None, "productId": None, "unitPriceWithoutTax": None})
    assert xunlian.post(body).json()["ok"] is True


def test_original_document_example_with_renminbi_is_accepted_once_its_comma_is_gone(xunlian):
    body = example_statement(currency="人民币")
    response = xunlian.post(body)
    assert response.json()["ok"] is True
    assert ReconciliationStatement.objects.get().currency == "CNY"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_with_one_number_create_exactly_one_statement(gateway_token):
    # An earlier transactional test's flush may have removed the seeded units.
    Unit.objects.get_or_create(code="EA", defaults={"name": "each"})
    count = 50
    barrier = threading.Barrier(count)
    answers: list[tuple[int, bool, str]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            caller = XunlianCaller(Client(), gateway_token)
            barrier.wait(timeout=30)
            response = caller.post(example_statement(), language=None)
            body = response.json()
            with lock:
                answers.append((response.status_code, body["ok"], body["status"]["message"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == count
    assert ReconciliationStatement.objects.count() == 1
    assert StatementLine.objects.count() == 1
    assert [ok for _, ok, _ in answers].count(True) == 1
    failures = [(status, message) for status, ok, message in answers if not ok]
    assert failures == [(200, "对账单号已经存在")] * (count - 1)
