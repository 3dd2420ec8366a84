from typing import Any

from django.core.management.base import CommandParser

from apps.core.management.import_file import ImportFileCommand
from apps.core.models import ImportJob
from apps.invoices.services import KIND


class Command(ImportFileCommand):
    help = "Import SAP's invoice report of one year from a JSON file (replaces that year), with a progress bar."
    import_kind = KIND
    apply_label = "replace year"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, help="The year to replace (required for an empty file).")

    def params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"year": str(options["year"]) if options["year"] is not None else None}

    def summary(self, *, job: ImportJob) -> str:
        counts = job.counts
        return (
            f"Imported {job.progress_total} invoices for {job.scope} (job {job.public_id}): "
            f"{counts.get('added', 0)} added, {counts.get('removed', 0)} removed, {counts.get('changed', 0)} changed."
        )
