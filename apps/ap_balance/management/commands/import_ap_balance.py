from typing import Any

from django.core.management.base import CommandParser

from apps.ap_balance.services import KIND
from apps.core.management.import_file import ImportFileCommand
from apps.core.models import ImportJob


class Command(ImportFileCommand):
    help = "Import SAP's AP open-balance report from a JSON file as the new current snapshot, with a progress bar."
    import_kind = KIND
    apply_label = "snapshot"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-empty", action="store_true", help="Accept an empty report (nothing is open any more)."
        )

    def params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"allowEmpty": options["allow_empty"]}

    def summary(self, *, job: ImportJob) -> str:
        counts = job.counts
        return (
            f"Imported {job.progress_total} AP open-balance lines as snapshot {counts.get('snapshot')} "
            f"(job {job.public_id}): {counts.get('added', 0)} added, {counts.get('cleared', 0)} cleared, "
            f"{counts.get('changed', 0)} changed."
        )
