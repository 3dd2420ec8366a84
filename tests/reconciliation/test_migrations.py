"""A statement stored before the period bounds (year 10000 in UTC) is made readable
by the migration that adds them, so the API and the admin answer 200 again."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.core.bounds import DATETIME_MAX, DATETIME_MIN
from apps.reconciliation.models import ReconciliationStatement

BEFORE = [("reconciliation", "0002_seed_units")]
AFTER = [("reconciliation", "0003_period_in_range_and_reason_length")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.postgres  # PostgreSQL is what stored such rows (SQLite never could)
@pytest.mark.django_db(transaction=True)
def test_rows_outside_the_range_are_moved_to_its_edges(admin_client):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for number, start, end in (
                ("LATE", "2019-05-01 00:00:00+00", "9999-12-31 23:00:00-05"),
                ("EARLY", "0001-01-01 00:00:00+05", "2019-05-31 00:00:00+00"),
            ):
                cursor.execute(
                    "INSERT INTO reconciliation_reconciliationstatement (public_id, reconciliation_no, currency,"
                    " start_time, end_time, buyer_name, buyer_tax_id, supplier_name, supplier_tax_id, status,"
                    " dispute_reason, created_at) VALUES (%s, %s, 'CNY', %s, %s, 'b', '91500103MA5UAHBY29', 's',"
                    " '310106666888888', 'received', '', now())",
                    [str(uuid.uuid4()), number, start, end],
                )
        migrate(AFTER)
    finally:
        migrate(leaves)
    late = ReconciliationStatement.objects.get(reconciliation_no="LATE")
    early = ReconciliationStatement.objects.get(reconciliation_no="EARLY")
    assert late.end_time == DATETIME_MAX
    assert early.start_time == DATETIME_MIN
    assert admin_client.get("/api/v1/reconciliations/").status_code == 200
    assert admin_client.get("/admin/reconciliation/reconciliationstatement/").status_code == 200
