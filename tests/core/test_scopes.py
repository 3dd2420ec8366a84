"""API scopes: each API client carries explicit grants (none by default), set by
command and in the admin; a call outside its grants answers the wire format's own
"forbidden" and changes nothing. Clients that existed before scopes got what their
sys implies (migration core 0006)."""

from __future__ import annotations

import importlib
import uuid
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.core import messages
from apps.core.models import ApiClient, ImportJob
from apps.core.scopes import ApiScope
from apps.core.services import api_client_create, api_token_issue
from apps.invoices.models import Invoice
from apps.reconciliation.models import ReconciliationStatement
from tests.conftest import KdpCaller
from tests.reconciliation.conftest import SAVE_URL, XunlianCaller, example_statement

pytestmark = pytest.mark.django_db

INVOICES_URL = "/inventory-server/api/invoice/report/info?year=2024"
AP_BALANCE_URL = "/inventory-server/api/invoice/report/ap/balance?allowEmpty=true"


def _token(name: str, sys: str, scopes: list[str]) -> str:
    credentials = api_client_create(name=name, sys=sys, scopes=scopes)
    return api_token_issue(app_key=credentials.app_key, app_secret=credentials.app_secret).token


def test_a_new_client_has_no_scope():
    assert api_client_create(name="Fresh", sys="pp").client.scopes == []


@pytest.mark.parametrize("url", [INVOICES_URL, AP_BALANCE_URL])
def test_the_supplier_gateway_cannot_replace_sap_reports(client, url):
    kdp = KdpCaller(client, _token("Xunlian gateway", "xl", [ApiScope.RECONCILIATION_WRITE]))
    response = kdp.post(url, [], sys="xl")
    assert response.status_code == 403
    scope = "invoices:write" if "info" in url else "ap_balance:write"
    assert response.json() == {"code": 403, "msg": messages.SCOPE_MISSING.format(scope=scope)}
    assert not ImportJob.objects.exists()
    assert not Invoice.objects.exists()


def test_a_client_with_invoices_write_may_replace_a_year_but_not_the_ap_balance(client):
    kdp = KdpCaller(client, _token("SAP invoices", "pp", [ApiScope.INVOICES_WRITE]))
    assert kdp.post(INVOICES_URL, []).json()["code"] == 0
    assert kdp.post(AP_BALANCE_URL, []).json()["code"] == 403
    assert list(ImportJob.objects.values_list("kind", flat=True)) == ["invoices"]


def test_a_client_without_reconciliation_write_cannot_send_statements(client):
    xunlian = XunlianCaller(client, _token("SAP PP", "pp", [ApiScope.INVOICES_WRITE, ApiScope.API_READ]))
    response = xunlian.post(example_statement())
    assert response.status_code == 403
    body = response.json()
    assert body["ok"] is False
    assert body["status"]["returnCode"] == "403" and body["status"]["serviceCode"] == "FORBIDDEN"
    assert body["status"]["message"] == messages.SCOPE_MISSING.format(scope="reconciliation:write")
    assert body["status"]["path"] == SAVE_URL
    assert not ReconciliationStatement.objects.exists()


@pytest.mark.parametrize(
    "path", ["/api/v1/invoices/", "/api/v1/imports/", "/api/v1/purchases/", "/api/v1/reconciliations/"]
)
def test_reading_the_lists_needs_api_read(client, path):
    token = _token("Xunlian gateway", "xl", [ApiScope.RECONCILIATION_WRITE])
    response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 403
    assert response.json() == {"detail": messages.SCOPE_MISSING.format(scope="api:read")}
    reader = _token("BI", "bi", [ApiScope.API_READ])
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {reader}").status_code == 200


def test_api_read_does_not_allow_writes(client):
    reader = _token("BI", "bi", [ApiScope.API_READ])
    response = client.post("/api/v1/invoices/", {}, HTTP_AUTHORIZATION=f"Token {reader}")
    assert response.status_code in (403, 405)


def test_create_api_client_takes_repeatable_scopes():
    out = StringIO()
    call_command(
        "create_api_client", "SAP PP", "--sys", "pp", "--scope", "invoices:write", "--scope", "api:read", stdout=out
    )
    assert ApiClient.objects.get(name="SAP PP").scopes == ["api:read", "invoices:write"]


def test_create_api_client_refuses_an_unknown_scope():
    with pytest.raises(CommandError):
        call_command(
            "create_api_client", "X", "--sys", "pp", "--scope", "everything", stdout=StringIO(), stderr=StringIO()
        )
    assert not ApiClient.objects.exists()


def test_scopes_are_granted_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:core_apiclient_add"),
        {
            "name": "Gateway",
            "sys": "xl",
            "is_active": "on",
            "scopes": ["reconciliation:write"],
            "tokens-TOTAL_FORMS": "0",
            "tokens-INITIAL_FORMS": "0",
            "tokens-MIN_NUM_FORMS": "0",
            "tokens-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200  # the page that shows the new secret
    assert ApiClient.objects.get(name="Gateway").scopes == ["reconciliation:write"]


def test_existing_clients_get_what_their_sys_implies():
    sap = ApiClient.objects.create(name="SAP", sys="pp", app_key=uuid.uuid4().hex, app_secret_hash="x")
    gateway = ApiClient.objects.create(name="Gateway", sys="xl", app_key=uuid.uuid4().hex, app_secret_hash="x")
    migration = importlib.import_module("apps.core.migrations.0006_api_client_scopes")
    migration.grant_what_sys_implies(django_apps, None)
    sap.refresh_from_db()
    gateway.refresh_from_db()
    assert sap.scopes == ["ap_balance:write", "api:read", "invoices:write"]
    assert gateway.scopes == ["reconciliation:write"]
