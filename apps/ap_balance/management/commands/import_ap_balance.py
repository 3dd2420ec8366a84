from typing import IO, Any

from apps.ap_balance.services import ap_balance_import_queue, ap_balance_report_stage, ap_snapshot_apply
from apps.core.imports import StagedFile
from apps.core.management.import_file import ImportFileCommand
from apps.core.models import ImportJob


class Command(ImportFileCommand):
    help = "Import SAP's AP open-balance report from a JSON file as the new current snapshot, with a progress bar."
    apply_label = "snapshot"

    def stage(self, *, body: IO[bytes], options: dict[str, Any], on_progress: Any) -> StagedFile:
        return ap_balance_report_stage(body=body, on_progress=on_progress)

    def queue(self, *, staged: StagedFile, body: IO[bytes], body_sha256: str, body_size: int, source: str) -> ImportJob:
        return ap_balance_import_queue(
            staged=staged, body=body, body_sha256=body_sha256, body_size=body_size, source=source, enqueue=False
        )

    def apply(self, *, job_id: int, on_progress: Any) -> None:
        ap_snapshot_apply(job_id=job_id, on_progress=on_progress)

    def summary(self, *, job: ImportJob, staged: StagedFile) -> str:
        counts = job.counts
        return (
            f"Imported {staged.rows} AP open-balance lines as snapshot {counts.get('snapshot')} "
            f"(job {job.public_id}): {counts.get('added', 0)} added, {counts.get('cleared', 0)} cleared, "
            f"{counts.get('changed', 0)} changed."
        )
