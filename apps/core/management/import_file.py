"""The base of the ``manage.py import_*`` commands: the same pipeline as the API,
from a file, applied in this process (no worker needed), with progress bars."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.imports import StagedFile
from apps.core.models import ImportJob


class ImportFileCommand(BaseCommand):
    """Subclasses say how to stage, queue and apply their kind of report."""

    apply_label = "apply"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def stage(self, *, body: IO[bytes], options: dict[str, Any], on_progress: Any) -> StagedFile:
        raise NotImplementedError

    def queue(self, *, staged: StagedFile, body: IO[bytes], body_sha256: str, body_size: int, source: str) -> ImportJob:
        raise NotImplementedError

    def apply(self, *, job_id: int, on_progress: Any) -> None:
        raise NotImplementedError

    def summary(self, *, job: ImportJob, staged: StagedFile) -> str:
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
                    staged = self.stage(body=raw, options=options, on_progress=lambda pos: bar.update(pos - bar.n))
                    bar.update(size - bar.n)
                job = self.queue(
                    staged=staged,
                    body=raw,
                    body_sha256=digest.hexdigest(),
                    body_size=size,
                    source=f"manage.py {self.__module__.rsplit('.', 1)[-1]} {path.name}"[:100],
                )
            except ValidationFailed as exc:
                for error in exc.errors:
                    self.stderr.write(f"row {error['index']}: {error['field']}: {error['message']}")
                raise CommandError(f"{exc.message} Nothing was imported.") from None
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from None
        with tqdm(total=staged.rows, desc=self.apply_label, unit="rows") as bar:
            self.apply(job_id=job.pk, on_progress=lambda done: bar.update(done - bar.n))
            bar.update(staged.rows - bar.n)
        job.refresh_from_db()
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"Import {job.public_id} failed: {job.message}")
        self.stdout.write(self.summary(job=job, staged=staged))
