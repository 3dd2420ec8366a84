"""Roles in the purchases admin, through the admin client: the Auditor cannot mint
KashFlow tokens, unlock or revoke, nor import reference data; the history of a
purchase cannot be reverted; the admin refuses the currency and rate that /v2
refuses, with the same message; finance staff can create KashFlow API users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core.groups import AUDITOR, FINANCE_STAFF
from apps.purchases.models import KashflowToken, KashflowUser, NominalAccount, Project, Purchase, Supplier
from apps.purchases.services import LineInput, PaymentInput, PurchaseInput, purchase_create
from apps.purchases.sessions import issue_long_lived_token, kashflow_user_create
from tests.core.factories import UserFactory
from tests.purchases.conftest import example_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(client, demo):
    client.force_login(UserFactory(username="audrey", is_staff=True, groups=[AUDITOR]))
    return client


@pytest.fixture
def finance(client, demo):
    client.force_login(UserFactory(username="fiona", is_staff=True, groups=[FINANCE_STAFF]))
    return client


@pytest.fixture
def owner(db):
    return kashflow_user_create(username="bob", password="S3cret-pass!", memorable_word="pineapple")


def _action(client, model, action, pks):
    return client.post(
        reverse(f"admin:purchases_{model}_changelist"), {"action": action, "_selected_action": pks}, follow=True
    )


def test_the_auditor_cannot_issue_a_long_lived_token(auditor, owner):
    response = _action(auditor, "kashflowuser", "issue_token", [owner.pk])
    assert response.status_code == 200
    assert "SessionToken" not in response.content.decode()
    assert not KashflowToken.objects.filter(owner=owner).exists()


def test_the_auditor_cannot_unlock_a_user(auditor, owner):
    locked_until = timezone.now() + dt.timedelta(minutes=15)
    KashflowUser.objects.filter(pk=owner.pk).update(locked_until=locked_until, failed_attempts=3)
    _action(auditor, "kashflowuser", "unlock", [owner.pk])
    owner.refresh_from_db()
    assert owner.locked_until == locked_until and owner.failed_attempts == 3


def test_the_auditor_cannot_revoke_tokens(auditor, owner):
    issue_long_lived_token(owner, label="integration")
    token = KashflowToken.objects.get(owner=owner)
    _action(auditor, "kashflowtoken", "revoke", [token.pk])
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("model", ["supplier", "nominalaccount", "project", "product", "bankaccount"])
def test_the_auditor_cannot_import_reference_data(auditor, model):
    model_class = {"supplier": Supplier, "project": Project}.get(model)
    before = model_class.objects.count() if model_class else None
    url = reverse(f"admin:purchases_{model}_import")
    assert auditor.get(url).status_code == 403
    upload = SimpleUploadedFile("rows.csv", b"code,name,number\nNEW1,New one,999\n", content_type="text/csv")
    response = auditor.post(url, {"format": "0", "import_file": upload})
    assert response.status_code == 403
    assert auditor.post(reverse(f"admin:purchases_{model}_process_import"), {}).status_code == 403
    changelist = auditor.get(reverse(f"admin:purchases_{model}_changelist"))
    assert changelist.status_code == 200 and url not in changelist.content.decode()
    if model_class:
        assert model_class.objects.count() == before


def test_finance_staff_can_import_projects(finance):
    upload = SimpleUploadedFile("projects.csv", b"number,name\n9001,Imported project\n", content_type="text/csv")
    response = finance.post(reverse("admin:purchases_project_import"), {"format": "0", "import_file": upload})
    assert response.status_code == 200
    assert "Imported project" in response.content.decode()


def _paid_purchase() -> Purchase:
    return purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 10),
            due_date=dt.date(2030, 2, 10),
            currency_code="GBP",
            lines=[LineInput(description="desk", quantity=Decimal(3), rate=Decimal(100), nominal_code=5000)],
        )
    )


def test_history_cannot_be_reverted(finance):
    purchase = _paid_purchase()
    version = purchase.history.earliest()
    url = reverse("admin:purchases_purchase_simple_history", args=[purchase.pk, version.history_id])
    assert finance.get(url).status_code == 200
    before = Purchase.objects.filter(pk=purchase.pk).values().get()
    response = finance.post(url, {"currency_code": "EUR", "exchange_rate": "5", "supplier": purchase.supplier_id})
    assert response.status_code == 403
    assert Purchase.objects.filter(pk=purchase.pk).values().get() == before
    assert "Revert" not in finance.get(url).content.decode()


def _admin_form(purchase: Purchase, **overrides: str) -> dict[str, str]:
    data = {
        "number": str(purchase.number),
        "supplier": str(purchase.supplier_id),
        "supplier_reference": purchase.supplier_reference,
        "issued_date": purchase.issued_date.isoformat(),
        "due_date": purchase.due_date.isoformat(),
        "currency_code": "GBP",
        "exchange_rate": "1",
        "additional_field_value": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
        "payments-MIN_NUM_FORMS": "0",
        "payments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "wire_field"),
    [("currency_code", "XYZ", "Currency.Code"), ("exchange_rate", "0", "Currency.ExchangeRate")],
)
def test_the_admin_refuses_what_the_api_refuses_with_the_same_message(finance, kf, field, value, wire_field):
    purchase = _paid_purchase()
    before = Purchase.objects.filter(pk=purchase.pk).values().get()
    body = example_body()
    body["Currency"] = {"Code": "GBP", "ExchangeRate": 1}
    if field == "currency_code":
        body["Currency"]["Code"] = value
    else:
        body["Currency"]["ExchangeRate"] = 0
    api = kf.put(f"/v2/purchases/{purchase.number}", body)
    assert api.status_code == 400
    api_message = api.json()["Message"]

    response = finance.post(
        reverse("admin:purchases_purchase_change", args=[purchase.pk]), _admin_form(purchase, **{field: value})
    )
    assert response.status_code == 200
    admin_errors = [str(e) for e in response.context["adminform"].form.errors[field]]
    assert len(admin_errors) == 1 and admin_errors[0].startswith(f"{wire_field}: ")
    assert admin_errors[0] in api_message
    assert Purchase.objects.filter(pk=purchase.pk).values().get() == before


def _kashflow_user_form(user_pk: int) -> dict[str, str]:
    """The KashFlow API user add form: bound to ``user_pk``, no tokens yet."""
    return {
        "user": str(user_pk),
        "api_access": "on",
        "failed_attempts": "0",
        "new_memorable_word": "elephant",
        "tokens-TOTAL_FORMS": "0",
        "tokens-INITIAL_FORMS": "0",
        "tokens-MIN_NUM_FORMS": "0",
        "tokens-MAX_NUM_FORMS": "1000",
    }


def test_finance_staff_can_create_a_kashflow_api_user(finance):
    user = UserFactory(username="integration")
    lookup = finance.get(
        reverse("admin:autocomplete"),
        {"app_label": "purchases", "model_name": "kashflowuser", "field_name": "user", "term": "integr"},
    )
    assert lookup.status_code == 200
    assert [item["text"] for item in lookup.json()["results"]] == ["integration"]
    response = finance.post(
        reverse("admin:purchases_kashflowuser_add"),
        _kashflow_user_form(user.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert KashflowUser.objects.get(user=user).memorable_word_length == 8


@pytest.mark.parametrize("kind", ["superuser", "staff"])
def test_finance_staff_cannot_bind_a_kashflow_api_user_to_an_admin_account(finance, kind):
    """The token would act (and be booked in the history) as that person on /v2."""
    target = UserFactory(username=f"boss-{kind}", is_staff=True, is_superuser=kind == "superuser")
    response = finance.post(
        reverse("admin:purchases_kashflowuser_add"),
        _kashflow_user_form(target.pk),
    )
    assert response.status_code == 200
    assert "Bind a service account" in " ".join(response.context["adminform"].form.errors["user"])
    assert not KashflowUser.objects.filter(user=target).exists()


def test_reverting_a_purchase_cannot_make_it_overpaid(finance, account, method):
    purchase = purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 10),
            due_date=dt.date(2030, 2, 10),
            lines=[
                LineInput(
                    description="x", quantity=Decimal(1), rate=Decimal(600), vat_level=Decimal(0), nominal_code=5000
                )
            ],
            payments=[
                PaymentInput(date=dt.date(2030, 1, 11), amount=Decimal(200), method_id=method.pk, account_id=account.pk)
            ],
        )
    )
    version = purchase.history.earliest()
    url = reverse("admin:purchases_purchase_simple_history", args=[purchase.pk, version.history_id])
    response = finance.post(url, _admin_form(purchase))
    assert response.status_code == 403
    purchase.refresh_from_db()
    assert purchase.total_paid_amount == Decimal(200)


def test_the_admin_refuses_a_negative_rate_like_the_api(finance, kf):
    body = example_body()
    body["LineItems"][0]["Rate"] = -15
    api = kf.post("/v2/purchases", body)
    assert api.status_code == 400
    wire = "LineItems[0].Rate: must be 0 or more (a credit line has a negative Quantity)"
    assert wire in api.json()["Message"]
    supplier = Supplier.objects.get(code="08C")
    data = {
        "number": "",
        "supplier": supplier.pk,
        "supplier_reference": "neg-1",
        "issued_date": "2030-01-10",
        "due_date": "2030-02-10",
        "currency_code": "GBP",
        "exchange_rate": "1",
        "additional_field_value": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "refund?",
        "lines-0-quantity": "3",
        "lines-0-rate": "-15",
        "lines-0-vat_level": "20",
        "lines-0-nominal": NominalAccount.objects.get(code=5000).pk,
        "lines-0-tax_code": "",
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
        "payments-MIN_NUM_FORMS": "0",
        "payments-MAX_NUM_FORMS": "1000",
    }
    response = finance.post(reverse("admin:purchases_purchase_add"), data)
    assert response.status_code == 200
    assert wire in response.content.decode()
    assert not Purchase.objects.filter(supplier_reference="neg-1").exists()


def test_the_auditor_sees_line_numbers_by_the_display_rule(auditor):
    purchase = purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 10),
            due_date=dt.date(2030, 2, 10),
            currency_code="GBP",
            lines=[
                LineInput(
                    description="desk",
                    quantity=Decimal(2),
                    rate=Decimal("1234.5"),
                    vat_level=Decimal(20),
                    nominal_code=5000,
                )
            ],
        )
    )
    url = reverse("admin:purchases_purchase_change", args=[purchase.pk])
    page = auditor.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1234.5000" not in page and "2.0000" not in page and "20.0000" not in page
    assert '<div class="readonly"><span class="money">1,234.50</span></div>' in page
    assert '<div class="readonly">2</div>' in page and '<div class="readonly">20</div>' in page
    # Finance staff still edit the stored values.
    finance = Client()
    finance.force_login(UserFactory(username="fiona", is_staff=True, groups=[FINANCE_STAFF]))
    editable = finance.get(url).content.decode()
    assert 'name="lines-0-rate"' in editable and 'name="lines-0-quantity"' in editable


def test_purchase_history_shows_amounts_by_the_money_rule_of_its_currency(finance):
    purchase = purchase_create(
        PurchaseInput(
            supplier_code="08C",
            issued_date=dt.date(2030, 1, 10),
            due_date=dt.date(2030, 2, 10),
            currency_code="JPY",
            lines=[LineInput(description="desk", quantity=Decimal(2), rate=Decimal(1200), nominal_code=5000)],
        )
    )
    page = finance.get(reverse("admin:purchases_purchase_history", args=[purchase.pk])).content.decode()
    assert "<td>2,400</td>" in page and "2400.0000" not in page and "None" not in page
