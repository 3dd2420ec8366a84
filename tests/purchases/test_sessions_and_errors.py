"""KashFlow sign-in (session tokens, memorable word), long-lived tokens, the
Idempotency-Key and the error body of every failure under /v2."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.core.models import IdempotencyRecord
from apps.purchases.models import KashflowToken, KashflowUser, Purchase
from apps.purchases.sessions import check_memorable_characters
from tests.purchases.conftest import MEMORABLE, PASSWORD, USERNAME, KashflowClient, example_body

pytestmark = pytest.mark.django_db
INVALID = {"Error": "InvalidSessionToken", "Message": "Session token provided is invalid."}


def start(client, **body):
    payload = {"UserName": USERNAME, "Password": PASSWORD, **body}
    return client.post("/v2/sessiontoken", payload, content_type="application/json")


def answers(positions, word=MEMORABLE, wrong_at=None):
    out = []
    for item in positions:
        p = item["Position"]
        char = word[p - 1]
        if p == wrong_at:
            char = "z" if char != "z" else "y"
        out.append({"Position": p, "Value": char.upper()})  # case-insensitive
    return out


def sign_in(client):
    step1 = start(client)
    assert step1.status_code == 201, step1.content
    body = step1.json()
    step2 = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": answers(body["MemorableWordList"])},
        content_type="application/json",
    )
    assert step2.status_code == 200, step2.content
    return step2.json()["SessionToken"]


def test_session_token_flow(client, kf_user, demo):
    step1 = client.post(
        "/v2/sessiontoken", {"username": USERNAME.upper(), "password": PASSWORD}, content_type="application/json"
    )
    assert step1.status_code == 201, step1.content  # user names match in any case
    body = step1.json()
    positions = [item["Position"] for item in body["MemorableWordList"]]
    assert len(positions) == 3 and positions == sorted(set(positions))
    assert all(1 <= p <= len(MEMORABLE) for p in positions)
    assert body["IsAdmin"] is False and body["TemporaryToken"]
    # The temporary token is no session token.
    temp = KashflowClient(client, body["TemporaryToken"])
    assert temp.get("/v2/purchases").status_code == 401
    step2 = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": answers(body["MemorableWordList"])},
        content_type="application/json",
    )
    assert step2.status_code == 200, step2.content
    token = step2.json()["SessionToken"]
    assert len(token) == 36 and token.count("-") == 4  # a GUID
    kf = KashflowClient(client, token)
    assert kf.get("/v2/purchases").status_code == 200
    # Also upper case, as KashFlow's own example writes it.
    assert KashflowClient(client, token.upper()).get("/v2/sessiontoken").json()["UserName"] == USERNAME
    # The temporary token served once.
    reuse = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": answers(body["MemorableWordList"])},
        content_type="application/json",
    )
    assert (reuse.status_code, reuse.json()["Error"]) == (400, "InvalidCredentials")
    # Only digests are stored.
    assert not KashflowToken.objects.filter(token_hash__icontains=token).exists()
    assert all(token not in t.token_hash and t.prefix == t.prefix[:8] for t in KashflowToken.objects.all())
    # DELETE /v2/sessiontoken/<token> ends it: 200 {} as KashFlow answers.
    ended = client.delete(f"/v2/sessiontoken/{token}")
    assert (ended.status_code, ended.json()) == (200, {})
    assert kf.get("/v2/purchases").json() == INVALID


def test_wrong_memorable_character_is_400_invalid_credentials_and_burns_the_temporary_token(client, kf_user, demo):
    body = start(client).json()
    wrong = answers(body["MemorableWordList"], wrong_at=body["MemorableWordList"][1]["Position"])
    response = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": wrong},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"Message", "Error"} and response.json()["Error"] == "InvalidCredentials"
    right = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": answers(body["MemorableWordList"])},
        content_type="application/json",
    )
    assert right.status_code == 400  # one attempt per temporary token


def test_other_positions_than_asked_are_refused(client, kf_user, demo):
    body = start(client).json()
    asked = {item["Position"] for item in body["MemorableWordList"]}
    other = [p for p in range(1, len(MEMORABLE) + 1) if p not in asked][:3]
    response = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": answers([{"Position": p} for p in other])},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["Error"]) == (400, "InvalidCredentials")


def test_wrong_password_is_400_invalid_credentials_and_locks_after_five(client, kf_user, demo):
    # KashFlow's own code for a bad password: a client tells it from an
    # expired session (401 InvalidSessionToken) and does not retry.
    for _ in range(5):
        response = start(client, Password="nope")
        assert (response.status_code, response.json()["Error"]) == (400, "InvalidCredentials")
    locked = start(client)
    assert locked.status_code == 400 and locked.json()["Error"] == "AccountLocked"


def test_unknown_user_is_the_same_400_as_a_wrong_password(client, kf_user, demo):
    response = start(client, UserName="mallory")
    assert (response.status_code, response.json()["Error"]) == (400, "InvalidCredentials")


def test_session_token_expires_after_idle_minutes(client, kf_user, demo):
    token = sign_in(client)
    kf = KashflowClient(client, token)
    assert kf.get("/v2/sessiontoken").status_code == 200
    KashflowToken.objects.filter(kind="session").update(last_used_at=timezone.now() - timedelta(minutes=61))
    expired = kf.get("/v2/purchases")
    assert expired.status_code == 401 and expired.json() == INVALID
    assert expired["WWW-Authenticate"] == "KfToken"


@override_settings(KASHFLOW_SESSION_IDLE_MINUTES=5)
def test_idle_expiry_is_a_setting_and_use_keeps_it_alive(client, kf_user, demo):
    token = sign_in(client)
    kf = KashflowClient(client, token)
    KashflowToken.objects.filter(kind="session").update(last_used_at=timezone.now() - timedelta(minutes=4))
    assert kf.get("/v2/sessiontoken").status_code == 200  # refreshes last use
    KashflowToken.objects.filter(kind="session").update(last_used_at=timezone.now() - timedelta(minutes=6))
    assert kf.get("/v2/sessiontoken").status_code == 401


def test_temporary_token_expires(client, kf_user, demo):
    body = start(client).json()
    KashflowToken.objects.filter(kind="temporary").update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.put(
        "/v2/sessiontoken",
        {"TemporaryToken": body["TemporaryToken"], "MemorableWordList": answers(body["MemorableWordList"])},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["Error"]) == (400, "InvalidCredentials")


def test_long_lived_token_has_no_idle_expiry_but_expires(kf):
    KashflowToken.objects.update(last_used_at=timezone.now() - timedelta(days=30))
    assert kf.get("/v2/sessiontoken").json()["TokenKind"] == "LongLived"
    KashflowToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert kf.get("/v2/purchases").json() == INVALID


def test_missing_malformed_and_unknown_tokens_are_kashflows_401(client, kf, demo):
    anon = KashflowClient(client, None)
    assert anon.get("/v2/purchases").json() == INVALID
    assert anon.get("/v2/purchases", Authorization="KfToken").json() == INVALID
    assert anon.get("/v2/purchases", Authorization="KfToken a b").json() == INVALID
    assert anon.get("/v2/purchases", Authorization="Bearer x").json() == INVALID
    response = KashflowClient(client, "496F5DBA-DBB2-42A3-9645-DA0253220C9E").get("/v2/purchases")
    assert response.status_code == 401 and response.json() == INVALID


def test_disabled_api_access_revokes_tokens(kf, kf_user):
    KashflowUser.objects.update(api_access=False)
    assert kf.get("/v2/purchases").status_code == 401


def test_memorable_word_is_never_stored_in_clear(kf_user):
    kf_user.refresh_from_db()
    stored = json.dumps([kf_user.memorable_word_salt, kf_user.memorable_word_digests, kf_user.memorable_word_length])
    assert MEMORABLE not in stored
    for ch in set(MEMORABLE):
        assert f'"{ch}"' not in stored
    assert len(kf_user.memorable_word_digests) == len(MEMORABLE)
    assert check_memorable_characters(kf_user, {1: "P", 4: "e"})
    assert not check_memorable_characters(kf_user, {1: "x"})
    assert not check_memorable_characters(kf_user, {42: "p"})


def test_commands_create_a_user_and_issue_a_token(client, demo):
    out = StringIO()
    call_command("create_kashflow_user", "bob", "--password", "Pa55-word!", "--memorable-word", "kangaroo", stdout=out)
    call_command("issue_kashflow_token", "bob", stdout=out)
    line = out.getvalue().strip().splitlines()[-1]
    assert line.startswith("SessionToken: ")
    token = line.removeprefix("SessionToken: ")
    assert KashflowClient(client, token).get("/v2/purchases").status_code == 200


# --- errors --------------------------------------------------------------------------


def assert_kashflow_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"Message", "Error"} and body["Message"]
    if code:
        assert body["Error"] == code


def test_unknown_url_under_v2_is_404_in_kashflow_body(kf, client):
    assert_kashflow_error(client.get("/v2/nowhere"), 404, "NotFound")
    assert_kashflow_error(client.post("/v2/purchases/1/lines"), 404, "NotFound")
    assert_kashflow_error(client.get("/v2/"), 404, "NotFound")
    xml = client.get("/v2/nowhere", HTTP_ACCEPT="application/xml")
    assert xml.status_code == 404 and b"<Error" in xml.content and b"<Message>" in xml.content


def test_method_not_allowed_is_405(kf):
    assert_kashflow_error(kf.send("PATCH", "/v2/purchases", {}), 405, "MethodNotAllowed")
    assert_kashflow_error(kf.delete("/v2/purchases"), 405, "MethodNotAllowed")


def test_malformed_json_and_xml_are_400(kf):
    assert_kashflow_error(kf.post("/v2/purchases", raw="{nope"), 400, "MalformedRequest")
    assert_kashflow_error(
        kf.post("/v2/purchases", raw="<Purchase><a></Purchase>", content_type="application/xml"),
        400,
        "MalformedRequest",
    )
    assert_kashflow_error(kf.post("/v2/purchases", raw="[1, 2]"), 400, "MalformedRequest")
    assert_kashflow_error(kf.post("/v2/purchases", raw="   "), 400, "MalformedRequest")


def test_xml_entities_are_refused(kf):
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Purchase><SupplierCode>&a;</SupplierCode></Purchase>'
    assert_kashflow_error(kf.post("/v2/purchases", raw=bomb, content_type="application/xml"), 400, "MalformedRequest")


@override_settings(KASHFLOW_MAX_BODY_BYTES=1000)
def test_body_over_the_limit_is_413(kf):
    body = example_body()
    body["AdditionalFieldValue"] = "x" * 2000
    assert_kashflow_error(kf.post("/v2/purchases", body), 413, "PayloadTooLarge")


def test_wrong_content_type_is_415(kf):
    assert_kashflow_error(kf.post("/v2/purchases", raw="a=b", content_type="text/plain"), 415, "UnsupportedMediaType")


@pytest.mark.parametrize("media_type", ["application/json", "application/xml", "text/xml"])
def test_a_body_in_another_charset_is_415_and_stores_nothing(kf, media_type):
    before = Purchase.objects.count()
    response = kf.post("/v2/purchases", raw="{}", content_type=f"{media_type}; charset=windows-1252")
    assert_kashflow_error(response, 415, "UnsupportedMediaType")
    assert "charset=windows-1252" in response.json()["Message"]
    assert Purchase.objects.count() == before


@pytest.mark.parametrize(
    "query",
    [
        "page=1&page=2",
        "perpage=2&PerPage=3",
        "IssueDateFrom=2024-01-01&issuedatefrom=2025-01-01",
        "format=xml&format=json",
    ],
)
def test_a_list_parameter_given_twice_is_a_400_naming_it(kf, query):
    response = kf.get(f"/v2/purchases?{query}")
    assert_kashflow_error(response, 400, "InvalidParameter")
    name = query.split("=", 1)[0].lower()
    assert response.json()["Message"] == f"Invalid {name}: given 2 times; give it once."


def test_unexpected_error_is_500_in_kashflow_body(kf, monkeypatch):
    from apps.purchases.kashflow import purchases as views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "purchase_page", boom)
    client = kf.client
    client.raise_request_exception = False
    response = kf.get("/v2/purchases")
    assert_kashflow_error(response, 500, "InternalServerError")
    assert "error id" in response.json()["Message"]


# --- Idempotency-Key --------------------------------------------------------------------


def test_idempotency_key_replays_the_first_response(kf):
    first = kf.post("/v2/purchases", example_body(), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    again = kf.post("/v2/purchases", example_body(), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Purchase.objects.count() == 1
    # The replay honours the Accept of the retry.
    xml = kf.post("/v2/purchases", example_body(), Accept="application/xml", **{"Idempotency-Key": "k-1"})
    assert xml.status_code == 201 and xml.content.startswith(b"<?xml")
    assert Purchase.objects.count() == 1


def test_idempotency_key_with_another_body_is_422(kf):
    assert kf.post("/v2/purchases", example_body(), **{"Idempotency-Key": "k-2"}).status_code == 201
    other = example_body()
    other["SupplierReference"] = "different"
    assert_kashflow_error(kf.post("/v2/purchases", other, **{"Idempotency-Key": "k-2"}), 422, "IdempotencyKeyReused")
    assert Purchase.objects.count() == 1


def test_idempotency_key_in_flight_is_409(kf, kf_user):
    body = json.dumps(example_body())
    import hashlib

    digest = hashlib.sha256(b"POST /v2/purchases " + body.encode()).hexdigest()
    IdempotencyRecord.objects.create(
        scope=f"kashflow-user:{kf_user.user_id}",
        key="k-3",
        request_hash=digest,
        endpoint="/v2/purchases",
        expires_at=IdempotencyRecord.default_expiry(),
    )
    response = kf.post("/v2/purchases", raw=body, **{"Idempotency-Key": "k-3"})
    assert_kashflow_error(response, 409, "RequestInProgress")
    assert not Purchase.objects.exists()


def test_idempotency_key_on_put_and_purchaselist(kf):
    number = kf.post("/v2/purchases", example_body()).json()["Number"]
    body = example_body()
    body["SupplierReference"] = "changed"
    first = kf.put(f"/v2/purchases/{number}", body, **{"Idempotency-Key": "p-1"})
    replay = kf.put(f"/v2/purchases/{number}", body, **{"Idempotency-Key": "p-1"})
    assert first.status_code == replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    items = [example_body(), example_body()]
    one = kf.post("/v2/purchaselist", items, **{"Idempotency-Key": "b-1"}).json()
    two = kf.post("/v2/purchaselist", items, **{"Idempotency-Key": "b-1"}).json()
    assert one == two and Purchase.objects.count() == 3


def test_validation_error_is_replayed_but_a_server_error_is_not(kf):
    bad = {"SupplierCode": "08C"}
    assert kf.post("/v2/purchases", bad, **{"Idempotency-Key": "v-1"}).status_code == 400
    replay = kf.post("/v2/purchases", bad, **{"Idempotency-Key": "v-1"})
    assert replay.status_code == 400 and replay["Idempotent-Replayed"] == "true"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_purchase(kf_token, demo):
    from django.test import Client

    body = json.dumps(example_body())
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            response = Client().post(
                "/v2/purchases",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"KfToken {kf_token}",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Purchase.objects.count() == 1
    assert set(statuses) <= {201, 409} and 201 in statuses


def test_session_flow_in_xml(client, kf_user, demo):
    from apps.purchases.kashflow.formats import parse_xml, render_xml

    body = render_xml({"UserName": USERNAME, "Password": PASSWORD}, root="LoginRequest")
    step1 = client.post("/v2/sessiontoken", body, content_type="application/xml", HTTP_ACCEPT="application/xml")
    assert step1.status_code == 201, step1.content
    parsed = parse_xml(step1.content)
    positions = [int(item["Position"]) for item in parsed["MemorableWordList"]]
    answer = {
        "TemporaryToken": parsed["TemporaryToken"],
        "MemorableWordList": [{"Position": p, "Value": MEMORABLE[p - 1]} for p in positions],
    }
    step2 = client.put(
        "/v2/sessiontoken", render_xml(answer, root="Login"), content_type="text/xml", HTTP_ACCEPT="text/xml"
    )
    assert step2.status_code == 200, step2.content
    token = parse_xml(step2.content)["SessionToken"]
    kf = KashflowClient(client, token)
    assert kf.delete("/v2/sessiontoken").status_code == 200  # ends the current session
    assert kf.get("/v2/sessiontoken").status_code == 401


def test_errors_in_xml_when_xml_was_asked_for(kf):
    response = kf.get("/v2/purchases?sortby=Colour", Accept="application/xml")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/xml")
    assert b"<Error>InvalidParameter</Error>" in response.content
    unknown_format = kf.get("/v2/purchases?format=yaml")
    assert unknown_format.status_code == 400 and unknown_format.json()["Error"] == "InvalidParameter"
