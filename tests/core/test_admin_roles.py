"""Roles in the platform's admin: the Auditor cannot rotate an API client's secret
or revoke its tokens; import jobs are audit records nobody but a superuser deletes."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from apps.core.groups import AUDITOR, FINANCE_STAFF
from apps.core.models import ApiClient, ApiToken, ImportJob
from apps.core.services import api_client_create, api_token_issue
from tests.core.factories import ImportJobFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, group):
    client.force_login(UserFactory(username=f"user-{group}", is_staff=True, groups=[group]))
    return client


def test_the_auditor_cannot_rotate_a_secret(client):
    credentials = api_client_create(name="Gateway", sys="xl")
    before = ApiClient.objects.get(pk=credentials.client.pk).app_secret_hash
    response = _login(client, AUDITOR).post(
        reverse("admin:core_apiclient_changelist"),
        {"action": "rotate_secret", "_selected_action": [credentials.client.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "appSecret" not in response.content.decode()
    assert ApiClient.objects.get(pk=credentials.client.pk).app_secret_hash == before


def test_the_auditor_cannot_revoke_api_tokens(client):
    credentials = api_client_create(name="Gateway", sys="xl")
    issued = api_token_issue(app_key=credentials.app_key, app_secret=credentials.app_secret)
    _login(client, AUDITOR).post(
        reverse("admin:core_apitoken_changelist"), {"action": "revoke", "_selected_action": [issued.record.pk]}
    )
    assert ApiToken.objects.get(pk=issued.record.pk).revoked_at is None


@pytest.mark.parametrize("group", [FINANCE_STAFF, AUDITOR])
def test_import_jobs_cannot_be_deleted_but_by_a_superuser(client, group):
    job = ImportJobFactory()
    _login(client, group)
    assert client.post(reverse("admin:core_importjob_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:core_importjob_changelist"),
        {"action": "delete_selected", "_selected_action": [job.pk], "post": "yes"},
    )
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_a_superuser_may_delete_an_import_job(admin_client):
    job = ImportJobFactory()
    response = admin_client.post(reverse("admin:core_importjob_delete", args=[job.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ImportJob.objects.filter(pk=job.pk).exists()


def _job_with_body() -> ImportJob:
    job = ImportJobFactory()
    job.raw_body.save("body.json", ContentFile(b'[{"invoiceId": "1"}]'), save=True)
    return job


@pytest.mark.parametrize("debug", [False, True])
def test_raw_bodies_download_through_the_admin_for_those_who_may_view(client, settings, debug):
    settings.DEBUG = debug
    job = _job_with_body()
    url = reverse("admin:core_importjob_raw_body", args=[job.pk])
    assert client.get(url).status_code == 302  # to the login page
    _login(client, AUDITOR)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b'[{"invoiceId": "1"}]'
    assert "attachment" in response["Content-Disposition"]


def test_raw_bodies_are_refused_to_staff_without_the_view_permission(client):
    job = _job_with_body()
    client.force_login(UserFactory(username="nobody", is_staff=True))
    assert client.get(reverse("admin:core_importjob_raw_body", args=[job.pk])).status_code == 403


@pytest.mark.parametrize("debug", [False, True])
def test_nothing_under_the_media_root_is_served(client, settings, debug):
    settings.DEBUG = debug
    job = _job_with_body()
    assert client.get(job.raw_body.url).status_code == 404
    _login(client, FINANCE_STAFF)
    assert client.get(job.raw_body.url).status_code == 404
