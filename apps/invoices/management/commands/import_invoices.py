from typing import IO, Any

from django.core.management.base import CommandParser

from apps.core.imports import StagedFile
from apps.core.management.import_file import ImportFileCommand
from apps.core.models import ImportJob
from apps.invoices.services import invoice_import_queue, invoice_report_stage, invoice_year_replace


class Command(ImportFileCommand):
    help = "Import SAP's invoice report of one year from a JSON file (replaces that year), with a progress bar."
    apply_label = "replace year"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, help="The year to replace (required for an empty file).")

    def stage(self, *, body: IO[bytes], options: dict[str, Any], on_progress: Any) -> StagedFile:
        return invoice_report_stage(body=body, year=options["year"], on_progress=on_progress)

    def queue(self, *, staged: StagedFile, body: IO[bytes], body_sha256: str, body_size: int, source: str) -> ImportJob:
        return invoice_import_queue(
            staged=staged,  # type: ignore[arg-type]
            body=body,
            body_sha256=body_sha256,
            body_size=body_size,
            source=source,
            enqueue=False,
        )

    def apply(self, *, job_id: int, on_progress: Any) -> None:
        invoice_year_replace(job_id=job_id, on_progress=on_progress)

    def summary(self, *, job: ImportJob, staged: StagedFile) -> str:
        counts = job.counts
        return (
            f"Imported {staged.rows} invoices for {job.scope} (job {job.public_id}): "
            f"{counts.get('added', 0)} added, {counts.get('removed', 0)} removed, {counts.get('changed', 0)} changed."
        )
