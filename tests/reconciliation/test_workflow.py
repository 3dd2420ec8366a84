"""The statement workflow (received -> confirmed | disputed) and the demo data."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from apps.core.exceptions import ValidationFailed
from apps.reconciliation import messages
from apps.reconciliation.models import ReconciliationStatement, StatementTransitionError
from apps.reconciliation.services import statement_confirm, statement_dispute
from tests.reconciliation.factories import ReconciliationStatementFactory, statement_with_lines

pytestmark = pytest.mark.django_db


def test_a_received_statement_can_be_confirmed_once(admin_user):
    statement = statement_with_lines(1)
    assert statement.can_confirm() and statement.can_dispute()
    confirmed = statement_confirm(statement=statement, by=admin_user)
    assert confirmed.status == ReconciliationStatement.Status.CONFIRMED
    assert not confirmed.can_confirm() and not confirmed.can_dispute()
    with pytest.raises(StatementTransitionError) as raised:
        statement_confirm(statement=statement, by=admin_user)
    assert str(raised.value) == str(
        messages.CANNOT_CONFIRM.format(number=statement.reconciliation_no, status="confirmed")
    )


def test_a_confirmed_statement_cannot_be_disputed(admin_user):
    statement = statement_with_lines(1)
    statement_confirm(statement=statement, by=admin_user)
    with pytest.raises(StatementTransitionError):
        statement_dispute(statement=statement, by=admin_user, reason="late")
    statement.refresh_from_db()
    assert statement.status == "confirmed" and statement.dispute_reason == ""


def test_a_dispute_records_reason_by_and_at(admin_user):
    statement = statement_with_lines(1)
    disputed = statement_dispute(statement=statement, by=admin_user, reason="  Quantity 9, not 10  ")
    disputed.refresh_from_db()
    assert disputed.status == "disputed"
    assert disputed.dispute_reason == "Quantity 9, not 10"
    assert disputed.reviewed_by == admin_user and disputed.reviewed_at is not None
    with pytest.raises(StatementTransitionError):
        statement_confirm(statement=disputed, by=admin_user)


def test_a_dispute_needs_a_reason(admin_user):
    statement = statement_with_lines(1)
    with pytest.raises(ValidationFailed):
        statement_dispute(statement=statement, by=admin_user, reason=" ")
    statement.refresh_from_db()
    assert statement.status == "received"


def test_the_database_refuses_a_disputed_statement_without_reason():
    statement = ReconciliationStatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconciliationStatement.objects.filter(pk=statement.pk).update(status="disputed")


def test_the_database_refuses_a_period_that_ends_before_it_starts():
    statement = ReconciliationStatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconciliationStatement.objects.filter(pk=statement.pk).update(end_time=statement.start_time.replace(year=2000))


def test_load_demo_data_is_idempotent(capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    statement = ReconciliationStatement.objects.get(reconciliation_no="hailan-API-Buy1557883270376")
    assert statement.currency == "CNY"
    assert statement.lines.count() == 1
    # The example agrees with a demo purchase; the June statement shows each kind of
    # difference; the third comes from a supplier finhub does not know.
    matches = dict(ReconciliationStatement.objects.values_list("reconciliation_no", "match__status"))
    assert matches == {
        "hailan-API-Buy1557883270376": "all_matched",
        "DEMO-XL-2019-06": "differences",
        "DEMO-XL-UNKNOWN": "unknown_supplier",
    }
    june = ReconciliationStatement.objects.get(reconciliation_no="DEMO-XL-2019-06").match
    assert june.line_counts == {
        "quantity_differs": 1,
        "price_differs": 1,
        "amount_differs": 1,
        "not_in_purchases": 1,
        "matched": 1,
        "not_on_statement": 1,
        "other_currency": 1,
    }
    assert "already there" in capsys.readouterr().out


def test_import_command_stores_a_statement_and_refuses_a_bad_one(tmp_path, capsys):
    from django.core.management.base import CommandError

    from tests.reconciliation.conftest import EXAMPLE_PATH

    call_command("import_reconciliation_statement", str(EXAMPLE_PATH))
    statement = ReconciliationStatement.objects.get()
    assert str(statement.public_id) in capsys.readouterr().out

    with pytest.raises(CommandError, match="The statement number already exists"):
        call_command("import_reconciliation_statement", str(EXAMPLE_PATH))
    bad = tmp_path / "bad.json"
    bad.write_text('{"reconciliationNo": "NEW", "itemList": []}', encoding="utf-8")
    with pytest.raises(CommandError, match="itemList: itemList must have at least one line"):
        call_command("import_reconciliation_statement", str(bad))
    assert ReconciliationStatement.objects.count() == 1


def test_named_filters_received_and_overlapping():
    from datetime import UTC, datetime

    october = ReconciliationStatementFactory()  # 2026-10-01 .. 2026-10-31
    confirmed = ReconciliationStatementFactory(
        status="confirmed",
        start_time=datetime(2026, 11, 1, tzinfo=UTC),
        end_time=datetime(2026, 11, 30, tzinfo=UTC),
    )
    assert list(ReconciliationStatement.objects.received()) == [october]
    overlapping = ReconciliationStatement.objects.overlapping(
        datetime(2026, 10, 31, 12, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert set(overlapping) == {october, confirmed}
    assert not ReconciliationStatement.objects.overlapping(
        datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    ).exists()
