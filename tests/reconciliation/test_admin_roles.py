"""Statements once decided are audit records: finance staff cannot delete them (a
superuser can), and their history cannot be reverted to "received"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.groups import FINANCE_STAFF
from apps.reconciliation.models import ReconciliationStatement
from apps.reconciliation.services import statement_dispute
from tests.core.factories import UserFactory
from tests.reconciliation.factories import statement_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client):
    user = UserFactory(username="fiona", is_staff=True, groups=[FINANCE_STAFF])
    client.force_login(user)
    client.user = user
    return client


def test_finance_staff_cannot_delete_a_decided_statement(finance):
    statement = statement_with_lines()
    statement_dispute(statement=statement, by=finance.user, reason="prices differ")
    url = reverse("admin:reconciliation_reconciliationstatement_delete", args=[statement.pk])
    assert finance.post(url, {"post": "yes"}).status_code == 403
    finance.post(
        reverse("admin:reconciliation_reconciliationstatement_changelist"),
        {"action": "delete_selected", "_selected_action": [statement.pk], "post": "yes"},
    )
    assert ReconciliationStatement.objects.filter(pk=statement.pk).exists()


def test_finance_staff_may_delete_a_statement_still_to_review(finance):
    statement = statement_with_lines()
    url = reverse("admin:reconciliation_reconciliationstatement_delete", args=[statement.pk])
    assert finance.post(url, {"post": "yes"}).status_code == 302
    assert not ReconciliationStatement.objects.filter(pk=statement.pk).exists()


def test_a_superuser_may_delete_a_decided_statement(admin_client, admin_user):
    statement = statement_with_lines()
    statement_dispute(statement=statement, by=admin_user, reason="prices differ")
    url = reverse("admin:reconciliation_reconciliationstatement_delete", args=[statement.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not ReconciliationStatement.objects.filter(pk=statement.pk).exists()


def test_a_disputed_statement_cannot_be_reverted_to_received(finance):
    statement = statement_with_lines()
    statement_dispute(statement=statement, by=finance.user, reason="prices differ")
    first = statement.history.earliest()
    url = reverse("admin:reconciliation_reconciliationstatement_simple_history", args=[statement.pk, first.history_id])
    assert finance.get(url).status_code == 200
    assert finance.post(url, {}).status_code == 403
    statement.refresh_from_db()
    assert statement.status == ReconciliationStatement.Status.DISPUTED
    assert statement.dispute_reason == "prices differ"
