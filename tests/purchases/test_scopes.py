"""KashFlow API users carry a scope: purchases:read or purchases:write (the
default, so that existing clients keep working). A call outside it is KashFlow's
403 ``{Message, Error}`` and changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.purchases.models import KashflowUser, Purchase
from apps.purchases.sessions import issue_long_lived_token, kashflow_user_create
from tests.purchases.conftest import KashflowClient, example_body

pytestmark = pytest.mark.django_db

FORBIDDEN = {"Message": "This user has not been granted the purchases:write scope.", "Error": "Forbidden"}


@pytest.fixture
def reader(client, demo):
    owner = kashflow_user_create(
        username="reader", password="S3cret-pass!", memorable_word="pineapple", scope=KashflowUser.Scope.READ
    )
    return KashflowClient(client, issue_long_lived_token(owner, label="bi"))


def test_new_kashflow_users_read_and_write_by_default(kf_user):
    assert kf_user.scope == KashflowUser.Scope.WRITE


def test_a_read_only_user_may_read(reader, kf):
    created = kf.post("/v2/purchases", example_body())
    assert created.status_code == 201
    number = created.json()["Number"]
    assert reader.get("/v2/purchases").status_code == 200
    assert reader.get(f"/v2/purchases/{number}").status_code == 200


def test_a_read_only_user_cannot_create_change_or_delete(reader, kf):
    number = kf.post("/v2/purchases", example_body()).json()["Number"]
    before = list(Purchase.objects.values())
    for response in (
        reader.post("/v2/purchases", example_body()),
        reader.put(f"/v2/purchases/{number}", {**example_body(), "SupplierReference": "changed"}),
        reader.delete(f"/v2/purchases/{number}"),
    ):
        assert response.status_code == 403
        assert response.json() == FORBIDDEN
    assert list(Purchase.objects.values()) == before


def test_a_read_only_user_gets_the_xml_forbidden_too(reader):
    response = reader.post("/v2/purchases", example_body(), Accept="application/xml")
    assert response.status_code == 403
    assert b"<Error>Forbidden</Error>" in response.content


def test_create_kashflow_user_read_only():
    out = StringIO()
    call_command(
        "create_kashflow_user",
        "bi",
        "--password",
        "S3cret-pass!",
        "--memorable-word",
        "pineapple",
        "--read-only",
        stdout=out,
    )
    assert KashflowUser.objects.get(user__username="bi").scope == KashflowUser.Scope.READ
    call_command(
        "create_kashflow_user", "rw", "--password", "S3cret-pass!", "--memorable-word", "pineapple", stdout=out
    )
    assert KashflowUser.objects.get(user__username="rw").scope == KashflowUser.Scope.WRITE
