"""The AP open-balance admin pages in Chinese: every button and sentence translated."""

from __future__ import annotations

import pytest

from tests.ap_balance.factories import rows

pytestmark = pytest.mark.django_db

PAGES = {
    "/admin/ap_balance/snapshot/": [("Ageing report", "账龄报表"), ("Compare snapshots", "比较快照")],
    "/admin/ap_balance/snapshot/ageing/": [
        ('value="Show"', 'value="显示"'),
        ("Cleared lines (Y) are not open and are left out.", "已清账明细（Y）不属于未清项，不计入。"),
    ],
    "/admin/ap_balance/snapshot/compare/": [('value="Compare"', 'value="比较"')],
}


@pytest.fixture
def snapshot(post_report):
    response = post_report(rows(2, sapDealerCode="D-1", currency="EUR", openBalance=10))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("page", list(PAGES))
def test_ap_balance_admin_pages_are_translated(admin_client, snapshot, page):
    english = admin_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    admin_client.cookies["django_language"] = "zh-hans"
    chinese = admin_client.get(page).content.decode()
    for text, translated in PAGES[page]:
        assert text in english
        assert translated in chinese and text not in chinese


def test_snapshot_page_shows_totals_per_currency_as_a_table(admin_client, post_report):
    from apps.ap_balance.models import Snapshot

    body = rows(2, sapDealerCode="D-1", currency="EUR", openBalance=1234.5)
    body += rows(1, sapDealerCode="D-2", currency="JPY", openBalance=1200)
    assert post_report(body).status_code == 200
    snapshot = Snapshot.objects.get(is_current=True)
    url = f"/admin/ap_balance/snapshot/{snapshot.pk}/change/"
    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "openBalance" not in english and "{&quot;" not in english
    assert '<th>Currency</th><th class="num">Rows</th><th class="num">Open balance</th>' in english
    assert (
        '<tr><td>EUR</td><td class="num">2</td><td class="num"><span class="money">2,469.00</span></td></tr>' in english
    )
    assert '<tr><td>JPY</td><td class="num">1</td><td class="num"><span class="money">1,200</span></td></tr>' in english
    admin_client.cookies["django_language"] = "zh-hans"
    chinese = admin_client.get(url).content.decode()
    assert '<th>币种</th><th class="num">行数</th><th class="num">未清余额</th>' in chinese
