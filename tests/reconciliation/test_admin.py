"""Review in the admin: list, filters, search, confirm and dispute (with its
intermediate page), history, exports, and the unit table."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.money_display import format_date
from apps.reconciliation import messages
from apps.reconciliation.models import ReconciliationStatement, Unit
from tests.reconciliation.conftest import example_statement
from tests.reconciliation.factories import statement_with_lines

CHANGELIST = reverse("admin:reconciliation_reconciliationstatement_changelist")


def change_url(statement) -> str:
    return reverse("admin:reconciliation_reconciliationstatement_change", args=[statement.pk])


def run_action(client, action: str, statements, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [s.pk for s in statements], **extra}
    return client.post(CHANGELIST, data)


@pytest.fixture
def admin_user_obj(admin_user):
    return admin_user


def test_changelist_filters_and_search(admin_client):
    first = statement_with_lines(2, reconciliation_no="ST-FIRST", supplier_name="兰馨谷开票测试")
    statement_with_lines(1, reconciliation_no="ST-SECOND", status=ReconciliationStatement.Status.CONFIRMED)
    page = admin_client.get(CHANGELIST)
    assert page.status_code == 200
    assert "ST-FIRST" in page.content.decode() and "ST-SECOND" in page.content.decode()

    assert [
        s.reconciliation_no
        for s in admin_client.get(CHANGELIST, {"status__exact": "confirmed"}).context["cl"].result_list
    ] == ["ST-SECOND"]
    by_supplier = admin_client.get(CHANGELIST, {"supplier_name": "兰馨谷开票测试"}).context["cl"].result_list
    assert [s.reconciliation_no for s in by_supplier] == ["ST-FIRST"]
    product_no = first.lines.first().product_no
    found = admin_client.get(CHANGELIST, {"q": product_no}).context["cl"].result_list
    assert [s.reconciliation_no for s in found] == ["ST-FIRST"]
    by_tax_id = admin_client.get(CHANGELIST, {"q": first.supplier_tax_id}).context["cl"].result_list
    assert [s.reconciliation_no for s in by_tax_id] == ["ST-FIRST"]
    by_period = admin_client.get(CHANGELIST, {"start_time__year": "2026", "start_time__month": "10"})
    assert by_period.context["cl"].result_count == 2


def test_a_statement_from_the_api_is_found_in_the_admin(xunlian, admin_client):
    uuid = xunlian.post(example_statement()).json()["body"]["reconciliationUuid"]
    statement = ReconciliationStatement.objects.get(public_id=uuid)
    found = admin_client.get(CHANGELIST, {"q": "hailan-API-Buy1557883270376"}).context["cl"].result_list
    assert list(found) == [statement]
    page = admin_client.get(change_url(statement))
    assert page.status_code == 200
    content = page.content.decode()
    assert "233W5THXL-01212" in content  # the line, inline
    assert uuid in content
    assert 'id="confirm-form"' in content


def test_confirm_through_the_admin_action(admin_client, admin_user):
    statement = statement_with_lines(1)
    response = run_action(admin_client, "confirm_statements", [statement])
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == ReconciliationStatement.Status.CONFIRMED
    assert statement.reviewed_by == admin_user
    assert statement.reviewed_at is not None
    history = list(statement.history.order_by("history_date"))
    assert [h.status for h in history] == ["received", "confirmed"]
    assert history[-1].history_user == admin_user


def test_confirming_twice_is_refused_with_a_message(admin_client):
    statement = statement_with_lines(1, status=ReconciliationStatement.Status.DISPUTED, dispute_reason="x")
    response = run_action(admin_client, "confirm_statements", [statement])
    followed = admin_client.get(response.url)
    shown = [str(m) for m in followed.context["messages"]]
    assert str(messages.CANNOT_CONFIRM.format(number=statement.reconciliation_no, status="disputed")) in shown
    statement.refresh_from_db()
    assert statement.status == ReconciliationStatement.Status.DISPUTED


def test_dispute_action_asks_for_a_reason_first(admin_client, admin_user):
    statements = [statement_with_lines(1), statement_with_lines(1)]
    page = run_action(admin_client, "dispute_statements", statements)
    assert page.status_code == 200
    assert page.templates[0].name == "admin/reconciliation/reconciliationstatement/dispute.html"
    assert 'name="reason"' in page.content.decode()
    assert not ReconciliationStatement.objects.exclude(status="received").exists()

    empty = run_action(admin_client, "dispute_statements", statements, apply="1", reason="  ")
    assert empty.status_code == 200
    assert empty.context["form"].errors
    assert not ReconciliationStatement.objects.exclude(status="received").exists()

    done = run_action(
        admin_client, "dispute_statements", statements, apply="1", reason="Line 01: we received 9, not 10."
    )
    assert done.status_code == 302
    for statement in statements:
        statement.refresh_from_db()
        assert statement.status == ReconciliationStatement.Status.DISPUTED
        assert statement.dispute_reason == "Line 01: we received 9, not 10."
        assert statement.reviewed_by == admin_user
        assert statement.reviewed_at is not None


def test_confirm_and_dispute_buttons_on_the_change_page(admin_client, admin_user):
    statement = statement_with_lines(1)
    confirm = reverse("admin:reconciliation_reconciliationstatement_confirm", args=[statement.pk])
    assert admin_client.get(confirm).status_code == 302  # a GET changes nothing
    statement.refresh_from_db()
    assert statement.status == "received"
    assert admin_client.post(confirm).status_code == 302
    statement.refresh_from_db()
    assert statement.status == "confirmed"

    other = statement_with_lines(1)
    dispute = reverse("admin:reconciliation_reconciliationstatement_dispute", args=[other.pk])
    assert 'name="reason"' in admin_client.get(dispute).content.decode()
    assert admin_client.post(dispute, {"reason": ""}).status_code == 200
    assert admin_client.post(dispute, {"reason": "Prices differ"}).status_code == 302
    other.refresh_from_db()
    assert (other.status, other.dispute_reason, other.reviewed_by) == ("disputed", "Prices differ", admin_user)
    page = admin_client.get(change_url(other)).content.decode()
    assert 'id="confirm-form"' not in page  # no more review buttons


def test_history_page_shows_the_changes(admin_client):
    statement = statement_with_lines(1)
    run_action(admin_client, "confirm_statements", [statement])
    url = reverse("admin:reconciliation_reconciliationstatement_history", args=[statement.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("confirmed") >= 1
    assert statement.history.count() == 2


def test_an_auditor_sees_but_cannot_review(client, django_user_model):
    auditor = django_user_model.objects.create_user("auditor", password="x", is_staff=True)
    auditor.groups.add(Group.objects.get(name="Auditor"))
    client.force_login(auditor)
    statement = statement_with_lines(1)
    assert client.get(change_url(statement)).status_code == 200
    run_action(client, "confirm_statements", [statement])
    statement.refresh_from_db()
    assert statement.status == "received"
    confirm = reverse("admin:reconciliation_reconciliationstatement_confirm", args=[statement.pk])
    assert client.post(confirm).status_code == 403
    statement.refresh_from_db()
    assert statement.status == "received"


def test_finance_staff_can_confirm(client, django_user_model):
    staff = django_user_model.objects.create_user("finance", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name="Finance staff"))
    client.force_login(staff)
    statement = statement_with_lines(1)
    run_action(client, "confirm_statements", [statement])
    statement.refresh_from_db()
    assert (statement.status, statement.reviewed_by) == ("confirmed", staff)


def test_export_one_statement_to_xlsx(admin_client):
    statement = statement_with_lines(2, reconciliation_no="ST/2026:10")
    url = reverse("admin:reconciliation_reconciliationstatement_export", args=[statement.pk, "xlsx"])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ST_2026_10.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["reconciliationNo", "ST/2026:10"]
    header = rows.index(next(r for r in rows if r and r[0] == "itemNo"))
    assert rows[header][:5] == ["itemNo", "itemName", "specification", "productNo", "quantity"]
    first_line = rows[header + 1]
    assert first_line[0] == "01" and first_line[5] == "EA"
    assert Decimal(str(first_line[10])) == Decimal("41794.3")
    totals = rows[header + 3]
    assert totals[0] == "total" and Decimal(str(totals[10])) == Decimal("83588.6")


def test_export_one_statement_to_csv(admin_client):
    statement = statement_with_lines(2)
    url = reverse("admin:reconciliation_reconciliationstatement_export", args=[statement.pk, "csv"])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["itemNo"] for row in rows] == ["01", "02"]
    assert rows[0]["reconciliationNo"] == statement.reconciliation_no
    assert rows[0]["unitPrice"] == "4179.43"
    assert rows[0]["itemName"] == "API条目测试商品"
    assert admin_client.get(url.replace("/csv/", "/pdf/")).status_code == 404


def test_export_actions_for_several_statements(admin_client):
    statements = [statement_with_lines(1, reconciliation_no="ST-1"), statement_with_lines(2, reconciliation_no="ST-2")]
    xlsx = run_action(admin_client, "export_xlsx", statements)
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["ST-1", "ST-2"]
    text = run_action(admin_client, "export_csv", statements).content.decode("utf-8-sig")
    assert [row["reconciliationNo"] for row in csv.DictReader(io.StringIO(text))] == ["ST-1", "ST-2", "ST-2"]


def test_statements_cannot_be_added_or_edited_in_the_admin(admin_client):
    statement = statement_with_lines(1)
    add = reverse("admin:reconciliation_reconciliationstatement_add")
    assert admin_client.get(add).status_code == 403
    page = admin_client.get(change_url(statement)).content.decode()
    assert 'name="_save"' not in page
    assert 'name="supplier_name"' not in page


def test_units_are_edited_in_the_admin_and_used_by_the_api(admin_client, xunlian):
    add = reverse("admin:reconciliation_unit_add")
    response = admin_client.post(add, {"code": "DRUM", "name": "drum", "name_zh": "桶", "is_active": "on"})
    assert response.status_code == 302
    assert Unit.objects.filter(code="DRUM").exists()
    body = example_statement()
    body["itemList"][0]["unit"] = "DRUM"
    assert xunlian.post(body).json()["ok"] is True
    changelist = admin_client.get(reverse("admin:reconciliation_unit_changelist"))
    assert "DRUM" in changelist.content.decode() and "KG" in changelist.content.decode()


def test_history_page_shows_values_in_words_and_in_the_viewers_language(admin_client, admin_user):
    from apps.reconciliation.services import statement_dispute

    statement = statement_with_lines(1)
    statement._change_reason = "received from import"
    statement.save()
    statement_dispute(statement=statement, by=admin_user, reason="Prices differ")
    url = reverse("admin:reconciliation_reconciliationstatement_history", args=[statement.pk])
    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<th scope="col">Dispute reason</th>' in english and '<th scope="col">Reviewed by</th>' in english
    assert "<td>received from import</td>" in english and "<td>disputed</td>" in english
    assert "Deleted user" not in english and "None" not in english and "+00:00" not in english
    assert "<strong>Reviewed by:</strong> –&nbsp;&rarr;&nbsp;&nbsp;admin" in english
    statement.refresh_from_db()
    reviewed = format_date(statement.reviewed_at)
    assert f"<strong>Reviewed at:</strong> –&nbsp;&rarr;&nbsp;&nbsp;{reviewed}" in english
    admin_client.cookies["django_language"] = "zh-hans"
    chinese = admin_client.get(url).content.decode()
    assert "DISPUTE_REASON" not in chinese and "dispute_reason" not in chinese
    for text in ("<td>已接收</td>", "<td>有异议</td>", "变更内容", "<td>接收自 导入</td>"):
        assert text in chinese, text
    for text in ("<td>received</td>", "<td>disputed</td>", "received from", "Changes<"):
        assert text not in chinese, text


def test_review_messages_count_in_the_singular_and_the_plural(admin_client):
    from django.contrib.messages import get_messages

    one = run_action(admin_client, "confirm_statements", [statement_with_lines(1)])
    assert "1 statement confirmed." in [str(m) for m in get_messages(one.wsgi_request)]
    two = run_action(admin_client, "confirm_statements", [statement_with_lines(1), statement_with_lines(1)])
    assert "2 statements confirmed." in [str(m) for m in get_messages(two.wsgi_request)]
    admin_client.cookies["django_language"] = "zh-hans"
    zh = run_action(admin_client, "confirm_statements", [statement_with_lines(1)])
    assert "已确认 1 张对账单。" in [str(m) for m in get_messages(zh.wsgi_request)]


def test_match_messages_count_in_the_singular_and_the_plural():
    from django.utils import translation

    with translation.override("en"):
        assert messages.MATCH_DONE % {"count": 1} == "1 statement matched against purchases."
        assert messages.MATCH_DONE % {"count": 3} == "3 statements matched against purchases."
        assert messages.MATCH_QUEUED % {"count": 1} == "Matching of 1 statement was queued."
    with translation.override("zh-hans"):
        assert messages.MATCH_QUEUED % {"count": 2} == "已排队匹配 2 张对账单。"
