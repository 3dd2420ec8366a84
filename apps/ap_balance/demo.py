"""Demo data of the AP open balance: SAP's valid sample report as the current snapshot."""

import hashlib
import io
from pathlib import Path

from apps.ap_balance.models import Snapshot
from apps.ap_balance.services import KIND
from apps.core.importing.pipeline import import_job_apply, import_report_submit

# SAP's sample report, as SAP sends it (amounts as JSON numbers).
SAMPLE_BODY = b"""[
  {"companyCode": "1000", "sapDealerCode": "0017001245", "invoinceId": "WR-2024-0001",
   "openBalance": 350.00, "currency": "EUR", "fiscalYear": "2024",
   "invoicingReference": "CLAIM-88121", "clearingIdentification": "N", "clearAmount": 0,
   "amountLC": 350.00, "voucherNo": "3100000001", "currencyLC": "EUR", "dueDate": "20240312"},
  {"companyCode": "1000", "sapDealerCode": "0017001245", "invoinceId": "WR-2024-0002",
   "openBalance": 80.25, "currency": "EUR", "fiscalYear": "2024",
   "invoicingReference": "CLAIM-88175", "clearingIdentification": "N",
   "amountLC": "80.25", "voucherNo": "3100000002", "currencyLC": "EUR", "dueDate": "2024-06-30"},
  {"sapDealerCode": "0017009999", "invoinceId": "WR-2023-0917",
   "openBalance": 1999.99, "currency": "USD", "clearingIdentification": "Y", "clearAmount": 1999.99,
   "amountLC": 1843.10, "currencyLC": "EUR", "dueDate": "20231201"}
]
"""


def load_demo_data() -> str:
    if Snapshot.objects.exists():
        return "AP snapshots already there"
    body = SAMPLE_BODY
    stream = io.BytesIO(body)
    submitted = import_report_submit(
        kind=KIND,
        body=stream,
        params={},
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_size=len(body),
        source=f"demo {Path(__file__).name}",
        enqueue=False,
    )
    job = import_job_apply(job_id=submitted.job.pk) or submitted.job
    return f"AP snapshot with {submitted.rows} lines imported ({job.status})"
