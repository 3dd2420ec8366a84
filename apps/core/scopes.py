"""What an API client may call: explicit grants, none by default.

| scope | lets a client |
|---|---|
| ``invoices:write`` | replace an SAP invoice year (KDP ``invoice/report/info``) |
| ``ap_balance:write`` | send the SAP AP open balance (KDP ``invoice/report/ap/balance``) |
| ``reconciliation:write`` | send Xunlian reconciliation statements (``/reconciliation/saveReconForApi``) |
| ``api:read`` | read the ``/api/v1`` lists |

A call outside its grants answers the wire format's own "forbidden" (KDP ``code
403``, Xunlian ``ok: false`` with HTTP 403, DRF 403). Clients that existed before
scopes were granted what their ``sys`` implies (``SCOPES_BY_SYS``, migration
core 0006).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    INVOICES_WRITE = "invoices:write", _("invoices:write – replace SAP invoice years")
    AP_BALANCE_WRITE = "ap_balance:write", _("ap_balance:write – send the SAP AP open balance")
    RECONCILIATION_WRITE = "reconciliation:write", _("reconciliation:write – send Xunlian statements")
    API_READ = "api:read", _("api:read – read the /api/v1 lists")


# What a client's system code implied before scopes existed: the Xunlian supplier
# gateway sends statements; every other system (SAP: pp, ...) sends the SAP reports
# and reads the lists.
XUNLIAN_SYS = "xl"
SCOPES_BY_SYS = {XUNLIAN_SYS: [ApiScope.RECONCILIATION_WRITE.value]}
SCOPES_OTHER_SYS = [ApiScope.INVOICES_WRITE.value, ApiScope.AP_BALANCE_WRITE.value, ApiScope.API_READ.value]


def scopes_implied_by_sys(sys: str) -> list[str]:
    return list(SCOPES_BY_SYS.get(sys, SCOPES_OTHER_SYS))
