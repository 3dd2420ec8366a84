"""The base of the ``manage.py import_*`` commands: the same pipeline as the API,
from a file, applied in this process (no worker needed), with progress bars."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.exceptions import ParseError
from tqdm import tqdm

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.importing.pipeline import import_job_apply, import_report_submit
from apps.core.models import ImportJob


class ImportFileCommand(BaseCommand):
    """Subclasses set ``import_kind`` and say which options are the import's
    parameters (``params``) and how to sum the result up (``summary``)."""

    import_kind: str
    apply_label = "apply"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def params(self, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    def summary(self, *, job: ImportJob) -> str:
        raise NotImplementedError

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
                    submitted = import_report_submit(
                        kind=self.import_kind,
                        body=raw,
                        params=self.params(options),
                        body_sha256=digest.hexdigest(),
                        body_size=size,
                        source=f"manage.py {self.__module__.rsplit('.', 1)[-1]} {path.name}"[:100],
                        enqueue=False,
                        on_progress=lambda pos: bar.update(pos - bar.n),
                    )
                    bar.update(size - bar.n)
            except ValidationFailed as exc:
                for error in exc.errors:
                    self.stderr.write(f"row {error['index']}: {error['field']}: {error['message']}")
                raise CommandError(_nothing_imported(exc.message)) from None
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from None
            except ParseError as exc:  # malformed JSON or text that is not UTF-8
                raise CommandError(_nothing_imported(exc.detail)) from None
        job = submitted.job
        with tqdm(total=submitted.rows, desc=self.apply_label, unit="rows") as bar:
            import_job_apply(job_id=job.pk, on_progress=lambda done: bar.update(done - bar.n))
            bar.update(submitted.rows - bar.n)
        job.refresh_from_db()
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"Import {job.public_id} failed: {job.message}")
        self.stdout.write(self.summary(job=job))


def _nothing_imported(reason: object) -> str:
    """``reason`` as a sentence, then that nothing was imported."""
    text = str(reason).rstrip()
    return f"{text}{'' if text.endswith(('.', '!', '?', '。')) else '.'} Nothing was imported."
