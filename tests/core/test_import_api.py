"""/api/v1/imports/: who may read import jobs, what they see, and at what cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.core.groups import AUDITOR, FINANCE_STAFF
from apps.core.models import ImportJob
from tests.core.factories import ImportJobFactory, UserFactory

LIST_URL = "/api/v1/imports/"


def detail_url(job: ImportJob) -> str:
    return f"{LIST_URL}{job.public_id}/"


@pytest.fixture
def token_header(sap_token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {sap_token}"}


@pytest.fixture
def auditor_client(client, db):
    client.force_login(UserFactory(username="auditor", groups=[AUDITOR]))
    return client


def test_anonymous_callers_are_refused(client, db):
    job = ImportJobFactory()
    for url in (LIST_URL, detail_url(job)):
        response = client.get(url)
        assert response.status_code == 403
        assert "detail" in response.json()
        assert str(job.public_id) not in response.content.decode()


def test_an_unknown_token_is_refused(client, db):
    ImportJobFactory()
    response = client.get(LIST_URL, HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 403
    assert "results" not in response.json()


def test_an_api_client_token_may_list_and_read(client, token_header):
    job = ImportJobFactory(kind="invoice-year", scope="2025")
    listed = client.get(LIST_URL, **token_header)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["results"][0]["id"] == str(job.public_id)
    detail = client.get(detail_url(job), **token_header)
    assert detail.status_code == 200
    assert detail.json()["scope"] == "2025"
    assert detail.json()["progress_percent"] == 100


def test_an_api_client_may_not_write(client, token_header):
    job = ImportJobFactory()
    assert client.delete(detail_url(job), **token_header).status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_an_auditor_session_may_read(auditor_client):
    job = ImportJobFactory()
    assert auditor_client.get(LIST_URL).json()["count"] == 1
    assert auditor_client.get(detail_url(job)).status_code == 200


def test_finance_staff_may_read(client, db):
    client.force_login(UserFactory(groups=[FINANCE_STAFF]))
    ImportJobFactory()
    assert client.get(LIST_URL).status_code == 200


def test_a_user_without_the_view_permission_is_403(client, db):
    job = ImportJobFactory()
    client.force_login(UserFactory(username="clerk"))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(job)).status_code == 403


def test_a_user_given_only_the_view_permission_may_read(client, db):
    user = UserFactory(username="bi")
    user.user_permissions.add(Permission.objects.get(codename="view_importjob"))
    client.force_login(user)
    ImportJobFactory()
    assert client.get(LIST_URL).status_code == 200


def test_an_unknown_or_malformed_id_is_a_json_404(client, token_header):
    ImportJobFactory()
    for job_id in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        response = client.get(f"{LIST_URL}{job_id}/", **token_header)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")


def test_the_detail_shows_progress_counts_and_duration(client, token_header, sap_client):
    started = timezone.now() - timedelta(seconds=90)
    job = ImportJobFactory(
        status=ImportJob.Status.RUNNING,
        progress_total=400,
        progress_done=100,
        counts={},
        client=sap_client.client,
        started_at=started,
    )
    body = client.get(detail_url(job), **token_header).json()
    assert body["status"] == "running"
    assert (body["progress_done"], body["progress_total"], body["progress_percent"]) == (100, 400, 25)
    assert body["client"] == "SAP PP"
    assert body["duration_seconds"] is None
    ImportJob.objects.filter(pk=job.pk).update(status="succeeded", finished_at=started + timedelta(seconds=75))
    body = client.get(detail_url(job), **token_header).json()
    assert body["duration_seconds"] == 75.0
    assert body["progress_percent"] == 100


@pytest.mark.parametrize(
    ("query", "expected_scopes"),
    [
        ("kind=ap-balance", {"snap"}),
        ("status=failed", {"2023"}),
        ("scope=2024", {"2024"}),
        ("trace_id=trace-2024", {"2024"}),
        ("kind=invoice-year&status=succeeded", {"2024"}),
    ],
)
def test_filters(client, token_header, query, expected_scopes):
    ImportJobFactory(kind="invoice-year", scope="2024", trace_id="trace-2024")
    ImportJobFactory(kind="invoice-year", scope="2023", status=ImportJob.Status.FAILED)
    ImportJobFactory(kind="ap-balance", scope="snap")
    body = client.get(f"{LIST_URL}?{query}", **token_header).json()
    assert {row["scope"] for row in body["results"]} == expected_scopes
    assert body["count"] == len(expected_scopes)


def test_created_date_filters_and_ordering(client, token_header):
    now = timezone.now()
    old, mid, new = (ImportJobFactory(scope=s) for s in ("old", "mid", "new"))
    for job, age in ((old, 30), (mid, 10), (new, 1)):
        ImportJob.objects.filter(pk=job.pk).update(created_at=now - timedelta(days=age))
    after = (now - timedelta(days=20)).isoformat()
    before = (now - timedelta(days=5)).isoformat()
    body = client.get(LIST_URL, {"created_after": after, "created_before": before}, **token_header).json()
    assert [row["scope"] for row in body["results"]] == ["mid"]
    ordered = client.get(LIST_URL, {"ordering": "created_at"}, **token_header).json()
    assert [row["scope"] for row in ordered["results"]] == ["old", "mid", "new"]
    default = client.get(LIST_URL, **token_header).json()
    assert [row["scope"] for row in default["results"]] == ["new", "mid", "old"]


def test_an_invalid_filter_value_is_400_naming_the_parameter(client, token_header):
    response = client.get(LIST_URL, {"created_after": "last tuesday"}, **token_header)
    assert response.status_code == 400
    assert "created_after" in response.json()


def test_pagination(client, token_header):
    ImportJobFactory.create_batch(5)
    first = client.get(LIST_URL, {"page_size": 2}, **token_header).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"] is not None
    last = client.get(LIST_URL, {"page_size": 2, "page": 3}, **token_header).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert client.get(LIST_URL, {"page_size": 2, "page": 4}, **token_header).status_code == 404


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_costs_the_same_number_of_queries_for_any_page_size(
    client, token_header, sap_client, django_assert_num_queries, rows
):
    ImportJobFactory.create_batch(rows, client=sap_client.client)
    client.get(LIST_URL, **token_header)  # the first call also records the client's last use
    # token + client (one join), count, page with clients (one join)
    with django_assert_num_queries(3):
        response = client.get(LIST_URL, {"page_size": 100}, **token_header)
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 25])
def test_the_list_costs_the_same_for_a_session_user(auditor_client, django_assert_num_queries, rows):
    ImportJobFactory.create_batch(rows)
    auditor_client.get(LIST_URL)
    # session, user, user permissions, group permissions, count, page
    with django_assert_num_queries(6):
        response = auditor_client.get(LIST_URL, {"page_size": 100})
    assert len(response.json()["results"]) == rows
