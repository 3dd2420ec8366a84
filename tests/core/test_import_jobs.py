"""The one-active-import-per-scope rule, enforced by the database."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.core.exceptions import ConflictError
from apps.core.importing.jobs import import_job_create
from apps.core.models import ImportJob


def test_a_second_active_import_of_the_same_scope_conflicts(db):
    import_job_create(kind="invoices", scope="2024")
    with pytest.raises(ConflictError):
        import_job_create(kind="invoices", scope="2024")
    import_job_create(kind="invoices", scope="2023")
    assert ImportJob.objects.count() == 2


def test_a_finished_import_does_not_block_the_next(db):
    job = import_job_create(kind="invoices", scope="2024")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)
    import_job_create(kind="invoices", scope="2024")
    assert ImportJob.objects.active().count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_scope_start_exactly_one():
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def start() -> None:
        barrier.wait()
        try:
            import_job_create(kind="invoices", scope="2024")
            outcomes.append("started")
        except ConflictError:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409"] * 5 + ["started"]
    assert ImportJob.objects.active().count() == 1


def test_stale_active_jobs_are_failed_and_free_their_scope(db):
    from datetime import timedelta

    from django.utils import timezone

    from apps.core.tasks import sweep_import_jobs

    stale = import_job_create(kind="invoices", scope="2024")
    fresh = import_job_create(kind="invoices", scope="2025")
    ImportJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert sweep_import_jobs() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "Abandoned" in stale.message
    assert fresh.status == "queued"
    import_job_create(kind="invoices", scope="2024")


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_answers_503_and_fails_the_job_cleanly(kdp, settings, monkeypatch):
    from kombu.exceptions import OperationalError

    from apps.core.tasks import run_import
    from apps.invoices.models import Invoice
    from tests.invoices.factories import rows

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(run_import, "apply_async", broker_down)
    response = kdp.post("/inventory-server/api/invoice/report/info", rows(3))
    assert response.status_code == 503
    payload = response.json()
    assert payload["code"] == 503
    assert payload["msg"] == "The import queue is not reachable; nothing was imported. Retry later."
    job = ImportJob.objects.get(kind="invoices", scope="2024")
    assert job.status == "failed" and "OperationalError" in job.message and job.stage_table == ""
    assert not Invoice.objects.exists()
    with connection.cursor() as cursor:
        assert not [t for t in connection.introspection.table_names(cursor) if "__stage_" in t]
    # the scope is free and the traceId was released: a retry once the broker is back succeeds
    monkeypatch.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert kdp.post("/inventory-server/api/invoice/report/info", rows(3)).status_code == 200


@pytest.mark.parametrize("value", ["0395-08-15T00:50:44+22:29", "0001-01-01T00:00:00+05:00", "not a date"])
def test_import_job_date_filters_answer_odd_offsets_without_a_server_error(client, sap_token, value):
    response = client.get("/api/v1/imports/", {"created_after": value}, HTTP_AUTHORIZATION=f"Token {sap_token}")
    assert response.status_code in (200, 400)
    if value.startswith("0395"):
        assert response.status_code == 200
