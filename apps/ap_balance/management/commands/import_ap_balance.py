import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.ap_balance.services import ap_balance_import_queue, ap_balance_report_stage, ap_snapshot_apply
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.models import ImportJob


class Command(BaseCommand):
    help = "Import SAP's AP open-balance report from a JSON file as the new current snapshot, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        size = path.stat().st_size
        digest = hashlib.sha256()
        with path.open("rb") as raw:
            for chunk in iter(lambda: raw.read(1024 * 1024), b""):
                digest.update(chunk)
        with path.open("rb") as raw:
            try:
                with tqdm(total=size, desc="validate", unit="B", unit_scale=True) as bar:
                    staged = ap_balance_report_stage(
                        body=raw, on_progress=lambda position: bar.update(position - bar.n)
                    )
                    bar.update(size - bar.n)
            except ValidationFailed as exc:
                for error in exc.errors:
                    self.stderr.write(f"row {error['index']}: {error['field']}: {error['message']}")
                raise CommandError(f"{exc.message} Nothing was imported.") from None
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from None
            with tqdm(total=staged.rows, desc="snapshot", unit="rows") as bar:
                # The command applies the job itself, in this process: no worker needed.
                try:
                    job = ap_balance_import_queue(
                        staged=staged,
                        body=raw,
                        body_sha256=digest.hexdigest(),
                        body_size=size,
                        source=f"manage.py import_ap_balance {path.name}"[:100],
                        enqueue=False,
                    )
                except ApplicationError as exc:
                    raise CommandError(str(exc.message)) from None

                def advance(done: int) -> None:
                    bar.update(done - bar.n)

                ap_snapshot_apply(job_id=job.pk, on_progress=advance)
                bar.update(staged.rows - bar.n)
        job.refresh_from_db()
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"Import {job.public_id} failed: {job.message}")
        counts = job.counts
        self.stdout.write(
            f"Imported {staged.rows} AP open-balance lines as snapshot {counts.get('snapshot')} "
            f"(job {job.public_id}): {counts.get('added', 0)} added, {counts.get('cleared', 0)} cleared, "
            f"{counts.get('changed', 0)} changed."
        )
