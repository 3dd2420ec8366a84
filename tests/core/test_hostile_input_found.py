"""Hostile input found by trying finhub as an attacker would, each refused at the
door with the envelope's 400 naming the field, nothing stored: invalid UTF-8
inside a string, a year outside the plausible window, amounts written with
characters Decimal() reads but SAP never sends, and a client name with a
control character."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from apps.ap_balance.models import SnapshotLine
from apps.core.models import ApiClient, ImportJob
from apps.invoices.models import Invoice
from tests.ap_balance.factories import rows as ap_rows
from tests.invoices.factories import rows as invoice_rows

INVOICES = "/inventory-server/api/invoice/report/info"
AP = "/inventory-server/api/invoice/report/ap/balance"


@pytest.mark.parametrize(
    "bad", [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8"], ids=["ff", "overlong", "surrogate", "cut"]
)
@pytest.mark.parametrize("url", [INVOICES, AP], ids=["invoices", "ap"])
def test_invalid_utf8_inside_a_string_is_a_400_not_a_500(kdp, django_capture_on_commit_callbacks, url, bad):
    body = invoice_rows(2) if url == INVOICES else ap_rows(2)
    raw = json.dumps(body).encode().replace(b'"0017', b'"' + bad + b"0017", 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = kdp.post(url, None, raw=raw)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == 400
    assert "UTF-8" in response.json()["msg"]
    assert not Invoice.objects.exists() and not SnapshotLine.objects.exists()
    assert not ImportJob.objects.active().exists()


def test_the_import_command_reports_invalid_utf8_as_an_error(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(json.dumps(invoice_rows(1)).encode().replace(b'"0017', b'"\xff0017', 1))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_invoices", str(path))
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("year", ["0000", "0001", "1969", "2100", "9999"])
def test_a_year_outside_the_plausible_window_is_refused(kdp, year):
    response = kdp.post(f"{INVOICES}?year={year}", [])
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "year"
    assert not ImportJob.objects.active().exists()  # a refused report is kept as a failed job, for audit


@pytest.mark.parametrize("text", ["1_000", "١٢٣", "1e3", "0x10", " 12 3", "Infinity", "NaN"])
def test_a_string_amount_is_ascii_digits_only(kdp, django_capture_on_commit_callbacks, text):
    body = invoice_rows(2)
    body[1]["taxAmount"] = text
    with django_capture_on_commit_callbacks(execute=True):
        response = kdp.post(INVOICES, body)
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert (error["index"], error["field"]) == (1, "taxAmount")
    assert not Invoice.objects.exists()


def test_a_client_name_with_a_control_character_is_refused(db):
    with pytest.raises(CommandError, match="name"):
        call_command("create_api_client", "x\x01y", "--sys", "pp")
    assert not ApiClient.objects.exists()


# --- found by a newcomer's try of the imports -----------------------------------------


def test_a_repeated_year_is_refused_and_empties_nothing(kdp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert kdp.post(INVOICES, invoice_rows(3, invoiceDate="20210310")).status_code == 200
    response = kdp.post(f"{INVOICES}?year=2020&year=2021", [])
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"index": 0, "field": "year", "message": "Given more than once: give this query parameter once."}
    ]
    assert Invoice.objects.filter(year=2021).count() == 3
    assert not ImportJob.objects.active().exists()


@pytest.mark.parametrize(
    ("url", "query", "field", "message"),
    [
        (INVOICES, "?yaer=2024", "yaer", "Unknown query parameter."),
        (
            AP,
            "?allowEmpty=true&allowEmpty=false",
            "allowEmpty",
            "Given more than once: give this query parameter once.",
        ),
        (AP, "?allowempty=true", "allowempty", "Unknown query parameter."),
    ],
)
def test_a_query_parameter_the_endpoint_does_not_read_is_refused(kdp, url, query, field, message):
    response = kdp.post(url + query, [])
    assert response.status_code == 400, response.content
    assert response.json()["msg"] == message
    assert response.json()["errors"] == [{"index": 0, "field": field, "message": message}]
    assert not ImportJob.objects.exists()


def test_ap_invoice_id_under_both_spellings_must_agree(kdp, django_capture_on_commit_callbacks):
    body = ap_rows(3)
    body[1]["invoiceId"] = "ZZ-1"  # beside SAP's invoinceId, another value: neither may win silently
    body[2]["invoiceId"] = body[2]["invoinceId"]  # the same value twice: one line, as sent
    with django_capture_on_commit_callbacks(execute=True):
        response = kdp.post(AP, body)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {
            "index": 1,
            "field": "invoinceId",
            "message": "invoiceId is given too, with another value: send one of invoinceId and invoiceId.",
        }
    ]
    assert not SnapshotLine.objects.exists()

    del body[1]["invoiceId"]
    with django_capture_on_commit_callbacks(execute=True):
        assert kdp.post(AP, body).status_code == 200
    assert sorted(SnapshotLine.objects.values_list("invoice_id", flat=True)) == sorted(r["invoinceId"] for r in body)


def test_the_same_trace_id_and_body_with_another_year_is_a_409_that_says_so(kdp, django_capture_on_commit_callbacks):
    trace_id = "8f0c4c1e-4a59-4c43-9a59-2f1a3c1b0a11"
    body = invoice_rows(2, invoiceDate="20210310")
    with django_capture_on_commit_callbacks(execute=True):
        assert kdp.post(f"{INVOICES}?year=2021", body, traceId=trace_id).status_code == 200
    response = kdp.post(f"{INVOICES}?year=2022", body, traceId=trace_id)
    assert response.status_code == 409
    assert response.json()["msg"] == "This traceId was already used with a different request (body or query)."
