"""The one-active-import-per-scope rule, enforced by the database."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.core.exceptions import ConflictError
from apps.core.models import ImportJob
from apps.core.services import import_job_create


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

    from apps.core.tasks import fail_stale_import_jobs

    stale = import_job_create(kind="invoices", scope="2024")
    fresh = import_job_create(kind="invoices", scope="2025")
    ImportJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert fail_stale_import_jobs() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "Abandoned" in stale.message
    assert fresh.status == "queued"
    import_job_create(kind="invoices", scope="2024")


def test_a_broker_that_refuses_the_task_fails_the_job(db, settings, tmp_path, django_capture_on_commit_callbacks):
    from apps.core.imports import StagedFile
    from apps.core.services import import_job_queue

    class RefusingTask:
        def delay(self, job_id: int) -> None:
            raise ConnectionError("broker down")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    staged_file = tmp_path / "media" / "staged.tsv"
    staged_file.parent.mkdir(parents=True, exist_ok=True)
    staged_file.write_text("")
    with pytest.raises(ConnectionError), django_capture_on_commit_callbacks(execute=True):
        import_job_queue(
            kind="invoices", scope="2024", staged=StagedFile(path=staged_file, rows=0), task=RefusingTask(),
            body=None, body_sha256="", body_size=0,
        )  # fmt: skip
    assert ImportJob.objects.get(scope="2024").status == "failed"


@pytest.mark.parametrize("value", ["0395-08-15T00:50:44+22:29", "0001-01-01T00:00:00+05:00", "not a date"])
def test_import_job_date_filters_answer_odd_offsets_without_a_server_error(client, sap_token, value):
    response = client.get("/api/v1/imports/", {"created_after": value}, HTTP_AUTHORIZATION=f"Token {sap_token}")
    assert response.status_code in (200, 400)
    if value.startswith("0395"):
        assert response.status_code == 200
