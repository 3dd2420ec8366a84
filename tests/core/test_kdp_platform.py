"""Authentication, headers, envelope and idempotency of KDP endpoints."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.core import messages
from apps.core.models import ApiClient, ApiToken, IdempotencyRecord, ImportJob
from apps.core.services import api_token_issue

ECHO = "/inventory-server/api/test/echo"
TOKEN_URL = "/inventory-server/api/auth/token"
pytestmark = pytest.mark.urls("tests.core.kdp_urls")


def test_token_is_issued_and_accepted(client, sap_client, kdp):
    response = client.post(
        TOKEN_URL,
        {"appKey": sap_client.app_key, "appSecret": sap_client.app_secret},
        content_type="application/json;charset=utf-8",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0 and body["msg"] == "success"
    assert body["data"]["expiresIn"] == 7200
    kdp.token = body["data"]["token"]
    echoed = kdp.post(ECHO, {"ping": 1})
    assert echoed.status_code == 200, echoed.content
    assert echoed.json()["code"] == 0
    assert ImportJob.objects.filter(kind="echo").count() == 1


def test_token_refused_for_a_wrong_secret(client, sap_client):
    response = client.post(
        TOKEN_URL, {"appKey": sap_client.app_key, "appSecret": "wrong"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json() == {"code": 401, "msg": str(messages.CREDENTIALS_INVALID)}


def test_token_refused_for_a_disabled_client(client, sap_client):
    ApiClient.objects.filter(pk=sap_client.client.pk).update(is_active=False)
    response = client.post(
        TOKEN_URL, {"appKey": sap_client.app_key, "appSecret": sap_client.app_secret}, content_type="application/json"
    )
    assert response.status_code == 401


def test_token_request_without_fields_is_400_with_field_errors(client, db):
    response = client.post(TOKEN_URL, {"appKey": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["appSecret"]


def test_missing_token_is_401_in_the_envelope(kdp):
    response = kdp.post(ECHO, {}, token=None)
    assert response.status_code == 401
    assert response.json() == {"code": 401, "msg": str(messages.TOKEN_MISSING)}


def test_unknown_token_is_401(kdp):
    response = kdp.post(ECHO, {}, token="not-a-token")
    assert response.status_code == 401
    assert response.json() == {"code": 401, "msg": str(messages.TOKEN_INVALID)}


def test_expired_token_is_401(kdp):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = kdp.post(ECHO, {})
    assert response.status_code == 401
    assert response.json()["code"] == 401


def test_revoked_token_is_401(kdp):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert kdp.post(ECHO, {}).status_code == 401


def test_token_lifetime_is_a_setting(settings, sap_client):
    settings.KDP_TOKEN_TTL_SECONDS = 60
    issued = api_token_issue(app_key=sap_client.app_key, app_secret=sap_client.app_secret)
    assert issued.expires_in == 60
    assert timedelta(seconds=55) < issued.record.expires_at - timezone.now() <= timedelta(seconds=60)


def test_wrong_sys_is_403(kdp):
    response = kdp.post(ECHO, {}, sys="crm")
    assert response.status_code == 403
    assert response.json() == {"code": 403, "msg": str(messages.SYS_MISMATCH)}


def test_non_uuid_trace_id_is_400(kdp):
    response = kdp.post(ECHO, {}, traceId="12345")
    assert response.status_code == 400
    body = response.json()
    assert body["msg"] == str(messages.TRACE_ID_INVALID)
    assert body["errors"][0]["field"] == "traceId"


def test_missing_trace_id_is_400(kdp):
    response = kdp.post(ECHO, {}, traceId=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "traceId"


def test_non_integer_device_type_is_400(kdp):
    response = kdp.post(ECHO, {}, deviceType="phone")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "deviceType"


def test_malformed_json_is_400(kdp):
    response = kdp.post(ECHO, None, raw=b'{"a": 1,}')
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400
    assert body["msg"].startswith("The body is not valid JSON")


def test_empty_body_is_400(kdp):
    assert kdp.post(ECHO, None, raw=b" ").status_code == 400


def test_wrong_content_type_is_415(kdp):
    response = kdp.post(ECHO, None, raw=b"a=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json() == {"code": 415, "msg": str(messages.UNSUPPORTED_MEDIA_TYPE)}


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        ("application/json;charset=latin-1", "latin-1"),
        ("application/json; charset=GBK", "gbk"),
        ("application/json;charset=latin-1;charset=utf-8", "latin-1"),  # the last one is not the only one
        ("application/json;charset=utf-8; Charset=ISO-8859-1", "iso-8859-1"),
        ("application/json; charset*=utf-8''latin-1", "latin-1"),  # RFC 2231
    ],
)
def test_a_body_declared_in_another_charset_is_415(kdp, content_type, charset):
    response = kdp.post(ECHO, {"a": "é"}, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {"code": 415, "msg": str(messages.CHARSET_NOT_UTF8.format(charset=charset))}


@pytest.mark.parametrize(
    "content_type", ["application/json;charset=utf-8", 'application/json; charset="UTF-8"', "application/json"]
)
def test_utf8_declared_or_implied_is_accepted(kdp, content_type):
    response = kdp.post(ECHO, {"a": "é"}, content_type=content_type)
    assert response.status_code == 200, response.content


def test_oversized_body_is_413(kdp, settings):
    settings.KDP_MAX_BODY_BYTES = 100
    response = kdp.post(ECHO, ["x" * 200])
    assert response.status_code == 413
    assert response.json()["code"] == 413
    assert not ImportJob.objects.exists()


def test_lang_zh_answers_in_chinese(kdp):
    response = kdp.post(ECHO, {}, sys="crm", lang="zh")
    assert response.status_code == 403
    assert response.json()["msg"] == "sys 请求头与该客户端的系统代码不一致。"


def test_unknown_lang_falls_back_to_english(kdp):
    response = kdp.post(ECHO, {}, sys="crm", lang="xx")
    assert response.json()["msg"] == str(messages.SYS_MISMATCH)


def test_unknown_url_under_the_prefix_is_404_in_the_envelope(client, db):
    response = client.get("/inventory-server/api/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"code": 404, "msg": str(messages.NOT_FOUND)}


def test_wrong_method_is_405_in_the_envelope(kdp):
    response = kdp.client.get(ECHO, **kdp.headers())
    assert response.status_code == 405
    assert response.json()["code"] == 405


def test_unexpected_exception_is_500_with_an_error_id(kdp):
    response = kdp.post(ECHO, "boom")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == 500
    assert body["errorId"] in body["msg"]
    assert response["Content-Type"].startswith("application/json")


def test_trace_id_replay_returns_the_identical_response_without_a_second_effect(kdp):
    trace_id = str(uuid.uuid4())
    first = kdp.post(ECHO, {"a": 1}, traceId=trace_id)
    second = kdp.post(ECHO, {"a": 1}, traceId=trace_id)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert ImportJob.objects.filter(kind="echo").count() == 1


def test_replay_of_a_rejected_body_returns_the_same_400(kdp):
    trace_id = str(uuid.uuid4())
    first = kdp.post(ECHO, "invalid", traceId=trace_id)
    second = kdp.post(ECHO, "invalid", traceId=trace_id)
    assert first.status_code == second.status_code == 400
    assert first.content == second.content


def test_same_trace_id_with_another_body_is_409(kdp):
    trace_id = str(uuid.uuid4())
    assert kdp.post(ECHO, {"a": 1}, traceId=trace_id).status_code == 200
    response = kdp.post(ECHO, {"a": 2}, traceId=trace_id)
    assert response.status_code == 409
    assert response.json() == {"code": 409, "msg": str(messages.TRACE_ID_REUSED)}
    assert ImportJob.objects.filter(kind="echo").count() == 1


def test_trace_id_still_in_progress_is_409(kdp, sap_client):
    trace_id = str(uuid.uuid4())
    first = kdp.post(ECHO, {"a": 1}, traceId=trace_id)
    assert first.status_code == 200
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_PROGRESS)
    response = kdp.post(ECHO, {"a": 1}, traceId=trace_id)
    assert response.status_code == 409
    assert response.json()["msg"] == str(messages.TRACE_ID_IN_PROGRESS)


def test_a_server_error_releases_the_trace_id_for_a_retry(kdp):
    trace_id = str(uuid.uuid4())
    assert kdp.post(ECHO, "boom", traceId=trace_id).status_code == 500
    assert not IdempotencyRecord.objects.exists()


def test_an_expired_trace_id_may_be_used_again(kdp):
    trace_id = str(uuid.uuid4())
    kdp.post(ECHO, {"a": 1}, traceId=trace_id)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert kdp.post(ECHO, {"a": 2}, traceId=trace_id).status_code == 200
    assert ImportJob.objects.filter(kind="echo").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_once(sap_token):
    trace_id = str(uuid.uuid4())
    results: list[int] = []
    barrier = threading.Barrier(8)

    def call() -> None:
        from tests.conftest import KdpCaller

        caller = KdpCaller(Client(), sap_token)
        barrier.wait()
        try:
            results.append(caller.post(ECHO, {"same": True}, traceId=trace_id).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ImportJob.objects.filter(kind="echo").count() == 1
    assert sorted(set(results)) <= [200, 409]
    assert results.count(200) >= 1
    assert len(results) == 8


def test_secrets_and_tokens_are_not_stored_in_clear(sap_client, sap_token):
    client = ApiClient.objects.get(pk=sap_client.client.pk)
    assert sap_client.app_secret not in client.app_secret_hash
    assert client.app_secret_hash.startswith(("pbkdf2_", "md5$", "argon2", "bcrypt"))
    token = ApiToken.objects.get(client=client)
    assert sap_token not in token.token_hash
    assert len(token.token_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_secret_hash FROM core_apiclient")
        assert all(sap_client.app_secret not in row[0] for row in cursor.fetchall())
