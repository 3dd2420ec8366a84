"""Both sign-in answers carry every field of the additions digest §4, in JSON
and in XML: POST /v2/sessiontoken PackageName, PartnerBrandingOptOut, PartnerId
(with the other step-1 flags); PUT StartPageUrl, SubscriptionExpiryDate, and
the step-1 flags again."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.purchases.kashflow.formats import parse_xml, render_xml
from tests.purchases.conftest import MEMORABLE, PASSWORD, USERNAME

pytestmark = pytest.mark.django_db

FLAGS = {
    "IsAdmin": False,
    "HasTemporaryPassword": False,
    "PackageName": None,
    "PartnerBrandingOptOut": False,
    "PartnerId": None,
    "SubscriptionExpired": False,
}


def _answer(positions):
    return [{"Position": int(p), "Value": MEMORABLE[int(p) - 1]} for p in positions]


@override_settings(KASHFLOW_COMPANY_NAME="Finhub Test Ltd")
def test_sign_in_answers_in_json_carry_the_digest_fields(client, kf_user, demo):
    step1 = client.post(
        "/v2/sessiontoken", {"UserName": USERNAME, "Password": PASSWORD}, content_type="application/json"
    )
    assert step1.status_code == 201, step1.content
    first = step1.json()
    assert set(first) == {"TemporaryToken", "MemorableWordList", *FLAGS}
    assert {key: first[key] for key in FLAGS} == FLAGS
    step2 = client.put(
        "/v2/sessiontoken",
        {
            "TemporaryToken": first["TemporaryToken"],
            "MemorableWordList": _answer(p["Position"] for p in first["MemorableWordList"]),
        },
        content_type="application/json",
    )
    assert step2.status_code == 200, step2.content
    second = step2.json()
    assert set(second) == {"SessionToken", "CompanyName", "StartPageUrl", "SubscriptionExpiryDate", *FLAGS}
    assert second["StartPageUrl"] is None and second["SubscriptionExpiryDate"] is None
    assert second["CompanyName"] == "Finhub Test Ltd" and second["SessionToken"]
    assert {key: second[key] for key in FLAGS} == FLAGS


def test_sign_in_answers_in_xml_carry_the_digest_fields(client, kf_user, demo):
    body = render_xml({"UserName": USERNAME, "Password": PASSWORD}, root="LoginRequest")
    step1 = client.post("/v2/sessiontoken", body, content_type="application/xml", HTTP_ACCEPT="application/xml")
    assert step1.status_code == 201, step1.content
    assert b'<PackageName i:nil="true" />' in step1.content and b'<PartnerId i:nil="true" />' in step1.content
    first = parse_xml(step1.content)
    assert first["PartnerBrandingOptOut"] == "false" and first["HasTemporaryPassword"] == "false"
    assert first["PackageName"] is None and first["PartnerId"] is None
    answer = {
        "TemporaryToken": first["TemporaryToken"],
        "MemorableWordList": _answer(item["Position"] for item in first["MemorableWordList"]),
    }
    step2 = client.put(
        "/v2/sessiontoken",
        render_xml(answer, root="Login"),
        content_type="application/xml",
        HTTP_ACCEPT="application/xml",
    )
    assert step2.status_code == 200, step2.content
    assert b'<StartPageUrl i:nil="true" />' in step2.content
    assert b'<SubscriptionExpiryDate i:nil="true" />' in step2.content
    second = parse_xml(step2.content)
    assert second["SessionToken"] and second["PartnerBrandingOptOut"] == "false"
    assert second["PackageName"] is None and second["PartnerId"] is None
