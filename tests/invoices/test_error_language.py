"""Import errors are stored language-neutrally (code + parameters) and shown in
the reader's language: a report rejected in a Chinese call reads in English to
an English admin user and in Chinese to a Chinese one, and so does the API."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.core.models import ImportJob
from tests.invoices.factories import InvoiceRowFactory

pytestmark = pytest.mark.django_db

OTHER_YEAR_EN = "invoiceDate is in 2024, not in the requested year 2023."
OTHER_YEAR_ZH = "invoiceDate 在 2024 年，不在请求的年份 2023。"


def test_rejected_report_errors_are_stored_as_codes_and_shown_in_the_readers_language(post_report, client):
    response = post_report([InvoiceRowFactory(invoiceDate="20240105")], query="?year=2023", lang="zh")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == OTHER_YEAR_ZH  # the caller's language
    job = ImportJob.objects.get(status="failed")
    [error] = job.errors
    assert error["code"] == "invoiceDate is in {found}, not in the requested year {year}."
    assert error["params"] == {"found": 2024, "year": 2023}
    assert error["message"] == OTHER_YEAR_EN  # stored text: the default language, not the caller's
    assert job.message_code == "The invoice report is invalid: {count} error(s)." and job.message_params == {"count": 1}

    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345-long")
    client.force_login(admin)
    page = f"/admin/core/importjob/{job.pk}/change/"
    english = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert OTHER_YEAR_EN in english and "The invoice report is invalid: 1 error(s)." in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(page).content.decode()
    assert OTHER_YEAR_ZH in chinese and "发票报表无效：1 个错误。" in chinese

    listed = client.get("/api/v1/imports/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    [row] = [item for item in listed["results"] if item["id"] == str(job.public_id)]
    assert row["errors"][0]["message"] == OTHER_YEAR_ZH and row["message"] == "发票报表无效：1 个错误。"
