"""The platform's admin pages, through the admin client."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from apps.core.groups import AUDITOR, FINANCE_STAFF
from apps.core.models import ApiClient, ApiToken, ImportJob
from apps.core.services import api_token_issue
from tests.core.factories import ImportJobFactory

TOKEN_URL = "/inventory-server/api/auth/token"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def one_time_secrets(response) -> dict[str, str]:
    """The secrets shown on the page that answered the POST: {label: value}."""
    html = response.content.decode()
    return dict(re.findall(r"<td>(appKey|appSecret|SessionToken)</td><td><code>([^<]+)</code>", html))


def assert_kept_nowhere(client, response, *secrets: str) -> None:
    """Neither the messages cookie nor the session holds a secret (signed is not secret)."""
    cookies = " ".join(morsel.value for morsel in client.cookies.values()) + " ".join(
        morsel.value for morsel in response.cookies.values()
    )
    session = dict(client.session.items())
    for secret in secrets:
        assert secret not in cookies
        assert secret not in str(session)
    assert response["Cache-Control"].startswith("no-store")


def test_import_job_changelist_shows_a_progress_bar(admin_client):
    ImportJobFactory(status=ImportJob.Status.RUNNING, progress_done=30, progress_total=120, counts={})
    ImportJobFactory(scope="done", counts={"added": 7, "removed": 2, "changed": 1})
    response = admin_client.get("/admin/core/importjob/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress value="25" max="100" title="30 / 120"></progress> 25%' in html
    assert '<progress value="100" max="100"' in html
    assert "7 / 2 / 1" in html


def test_import_job_changelist_filters_by_status(admin_client):
    ImportJobFactory(scope="ok-year")
    ImportJobFactory(scope="bad-year", status=ImportJob.Status.FAILED)
    response = admin_client.get("/admin/core/importjob/", {"status__exact": "failed"})
    assert [job.scope for job in response.context["cl"].result_list] == ["bad-year"]
    assert "1 import job" in response.content.decode()


def test_import_jobs_are_read_only_in_the_admin(admin_client):
    job = ImportJobFactory()
    assert admin_client.get("/admin/core/importjob/add/").status_code == 403
    response = admin_client.post(f"/admin/core/importjob/{job.pk}/change/", {"scope": "tampered"})
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.scope != "tampered"


def _add_client(admin_client, **fields):
    data = {
        "name": "BI warehouse",
        "sys": "pp",
        "is_active": "on",
        "tokens-TOTAL_FORMS": "0",
        "tokens-INITIAL_FORMS": "0",
        "tokens-MIN_NUM_FORMS": "0",
        "tokens-MAX_NUM_FORMS": "1000",
        **fields,
    }
    return admin_client.post("/admin/core/apiclient/add/", data)


def test_adding_an_api_client_shows_the_secret_once_and_stores_a_hash(admin_client):
    response = _add_client(admin_client)
    assert response.status_code == 200
    shown = one_time_secrets(response)
    app_key, app_secret = shown["appKey"], shown["appSecret"]
    assert_kept_nowhere(admin_client, response, app_secret)
    assert not any("appSecret" in m for m in _messages(response))
    client = ApiClient.objects.get(name="BI warehouse")
    assert client.app_key == app_key
    assert app_secret not in client.app_secret_hash
    assert check_password(app_secret, client.app_secret_hash)
    # The credentials work on the token endpoint ...
    token = admin_client.post(TOKEN_URL, {"appKey": app_key, "appSecret": app_secret}, content_type="application/json")
    assert token.status_code == 200
    # ... and the secret is not shown again.
    change_page = admin_client.get(f"/admin/core/apiclient/{client.pk}/change/").content.decode()
    assert app_secret not in change_page
    assert app_key in change_page


def test_rotating_a_secret_revokes_the_client_tokens(admin_client, sap_client, sap_token):
    response = admin_client.post(
        "/admin/core/apiclient/",
        {"action": "rotate_secret", "_selected_action": [sap_client.client.pk]},
    )
    assert response.status_code == 200
    new_secret = one_time_secrets(response)["appSecret"]
    assert_kept_nowhere(admin_client, response, new_secret)
    client = ApiClient.objects.get(pk=sap_client.client.pk)
    assert check_password(new_secret, client.app_secret_hash)
    assert not check_password(sap_client.app_secret, client.app_secret_hash)
    assert not ApiToken.objects.valid().exists()


def test_the_revoke_action_makes_a_token_useless(admin_client, client, sap_client, sap_token):
    other = api_token_issue(app_key=sap_client.app_key, app_secret=sap_client.app_secret)
    revoked = ApiToken.objects.exclude(pk=other.record.pk).get()
    response = admin_client.post(
        "/admin/core/apitoken/", {"action": "revoke", "_selected_action": [revoked.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 token revoked." in _messages(response)
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    assert client.get("/api/v1/imports/", HTTP_AUTHORIZATION=f"Token {sap_token}").status_code == 403
    assert client.get("/api/v1/imports/", HTTP_AUTHORIZATION=f"Token {other.token}").status_code == 200


def test_the_token_admin_never_shows_the_digest(admin_client, sap_client, sap_token):
    token = ApiToken.objects.get()
    html = admin_client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert token.token_hash not in html
    assert sap_token not in html
    assert token.prefix in html


def test_revoking_twice_counts_only_live_tokens(admin_client, sap_token):
    ApiToken.objects.update(revoked_at=timezone.now())
    response = admin_client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": list(ApiToken.objects.values_list("pk", flat=True))},
        follow=True,
    )
    assert "0 tokens revoked." in _messages(response)


@pytest.mark.django_db
def test_the_finance_groups_exist_after_migrate():
    assert set(Group.objects.filter(name__in=[FINANCE_STAFF, AUDITOR]).values_list("name", flat=True)) == {
        FINANCE_STAFF,
        AUDITOR,
    }


@pytest.mark.django_db
def test_the_auditor_may_only_view():
    auditor = Group.objects.get(name=AUDITOR)
    codenames = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_importjob" in codenames
    assert "view_apiclient" in codenames
    assert all(codename.startswith("view_") for codename in codenames)


@pytest.mark.django_db
def test_finance_staff_may_change_finhub_records_and_only_see_users():
    staff = Group.objects.get(name=FINANCE_STAFF)
    codenames = set(staff.permissions.values_list("codename", flat=True))
    assert {"view_importjob", "change_apiclient", "add_apiclient"} <= codenames
    assert "delete_importjob" not in codenames  # an audit record
    # Seeing users is granted on purpose: the user picker of a KashFlow API user needs it.
    assert set(staff.permissions.filter(content_type__app_label="auth").values_list("codename", flat=True)) == {
        "view_user"
    }
    assert Permission.objects.filter(codename="change_user").exists()


def test_the_site_root_leads_to_the_admin(client, db):
    response = client.get("/", follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/admin/login/")


def test_import_job_kind_and_scope_are_words_in_the_filter_and_the_list(admin_client):
    ImportJobFactory(kind="ap_balance", scope="current")
    ImportJobFactory(kind="invoices", scope="2026")
    english = admin_client.get("/admin/core/importjob/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SAP AP open balance" in english and "SAP invoices" in english
    assert '<a href="?kind=ap_balance">SAP AP open balance</a>' in english
    assert '<a href="?scope=current">current</a>' in english
    admin_client.cookies["django_language"] = "zh-hans"
    chinese = admin_client.get("/admin/core/importjob/").content.decode()
    assert '<a href="?kind=ap_balance">SAP 应付未清余额</a>' in chinese
    assert '<a href="?kind=invoices">SAP 发票</a>' in chinese
    assert '<a href="?scope=current">当前</a>' in chinese
    assert '<td class="field-scope_label">当前</td>' in chinese
    filtered = admin_client.get("/admin/core/importjob/", {"kind": "invoices"})
    assert [job.scope for job in filtered.context["cl"].result_list] == ["2026"]
