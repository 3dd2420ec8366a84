import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.models import ImportJob
from apps.invoices.services import invoice_import_queue, invoice_report_stage, invoice_year_replace


class Command(BaseCommand):
    help = "Import SAP's invoice report of one year from a JSON file (replaces that year), with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="The year to replace (required for an empty file).")

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
                    staged = invoice_report_stage(
                        body=raw, year=options["year"], on_progress=lambda position: bar.update(position - bar.n)
                    )
                    bar.update(size - bar.n)
            except ValidationFailed as exc:
                for error in exc.errors:
                    self.stderr.write(f"row {error['index']}: {error['field']}: {error['message']}")
                raise CommandError(f"{exc.message} Nothing was imported.") from None
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from None
            with tqdm(total=staged.rows, desc=f"replace {staged.year}", unit="rows") as bar:
                # The command applies the job itself, in this process: no worker needed.
                job = invoice_import_queue(
                    staged=staged,
                    body=raw,
                    body_sha256=digest.hexdigest(),
                    body_size=size,
                    source=f"manage.py import_invoices {path.name}",
                    enqueue=False,
                )

                def advance(done: int) -> None:
                    bar.update(done - bar.n)

                invoice_year_replace(job_id=job.pk, on_progress=advance)
                bar.update(staged.rows - bar.n)
        job.refresh_from_db()
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"Import {job.public_id} failed: {job.message}")
        counts = job.counts
        self.stdout.write(
            f"Imported {staged.rows} invoices for {staged.year} (job {job.public_id}): "
            f"{counts.get('added', 0)} added, {counts.get('removed', 0)} removed, {counts.get('changed', 0)} changed."
        )
