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
