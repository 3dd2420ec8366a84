"""The platform's manage.py commands, as a developer or a script runs them."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.core.models import ApiClient

TOKEN_URL = "/inventory-server/api/auth/token"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_api_client_prints_two_lines_that_work_on_the_token_endpoint(client):
    output = run("create_api_client", "SAP PP", "--sys", "pp")
    lines = output.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"appKey: [0-9a-f]{32}", lines[0])
    assert re.fullmatch(r"appSecret: \S{20,}", lines[1])
    app_key, app_secret = (line.split(": ", 1)[1] for line in lines)
    stored = ApiClient.objects.get(name="SAP PP")
    assert (stored.app_key, stored.sys, stored.is_active) == (app_key, "pp", True)
    assert app_secret not in stored.app_secret_hash
    response = client.post(TOKEN_URL, {"appKey": app_key, "appSecret": app_secret}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["data"]["token"]


@pytest.mark.django_db
def test_create_api_client_refuses_a_name_already_taken():
    run("create_api_client", "SAP PP", "--sys", "pp")
    with pytest.raises(CommandError, match="already exists"):
        run("create_api_client", "SAP PP", "--sys", "pp")
    assert ApiClient.objects.count() == 1


@pytest.mark.django_db
def test_an_inactive_client_gets_no_token(client):
    lines = run("create_api_client", "Later", "--sys", "pp", "--inactive").splitlines()
    app_key, app_secret = (line.split(": ", 1)[1] for line in lines)
    response = client.post(TOKEN_URL, {"appKey": app_key, "appSecret": app_secret}, content_type="application/json")
    assert response.status_code == 401


def _snapshot() -> dict[str, list]:
    """Every row of every finhub model, so that a second run can be compared."""
    from django.apps import apps
    from django.conf import settings

    snapshot = {}
    for app_name in settings.LOCAL_APPS:
        for model in apps.get_app_config(app_name.rsplit(".", 1)[-1]).get_models():
            snapshot[model._meta.label] = sorted(map(str, model.objects.values_list("pk", flat=True)))
    return snapshot


@pytest.mark.django_db
def test_load_demo_data_twice_changes_nothing_the_second_time():
    first = run("load_demo_data")
    after_first = _snapshot()
    assert "core: demo API client created" in first
    assert ApiClient.objects.filter(name="Demo SAP", sys="pp").exists()
    second = run("load_demo_data")
    assert _snapshot() == after_first
    assert "core: demo API client already there" in second


@pytest.mark.django_db
def test_ensure_local_admin_prints_a_working_login(client, settings):
    settings.DEBUG = True
    output = run("ensure_local_admin")
    match = re.search(r"http://127\.0\.0\.1:8000/admin/\s+user: (\S+)\s+password: (\S+)", output)
    assert match, output
    username, password = match.groups()
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_ensure_local_admin_again_resets_the_password(client, settings):
    settings.DEBUG = True
    first = re.search(r"password: (\S+)", run("ensure_local_admin")).group(1)
    second_output = run("ensure_local_admin")
    second = re.search(r"password: (\S+)", second_output).group(1)
    assert "password reset" in second_output
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert not client.login(username="admin", password=first)
    assert client.login(username="admin", password=second)


@pytest.mark.django_db
def test_ensure_local_admin_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        run("ensure_local_admin")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_ensure_local_admin_prints_the_url_it_is_given(settings):
    settings.DEBUG = True
    output = run("ensure_local_admin", "--url", "http://127.0.0.1:8123/admin/")
    assert output.startswith("Local admin created: http://127.0.0.1:8123/admin/  user: admin  password: ")
