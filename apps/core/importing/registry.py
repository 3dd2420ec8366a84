"""One importer per kind of report, registered by its app in ``AppConfig.ready``.

The pipeline (``apps.core.importing.pipeline``) and the one Celery task
(``apps.core.tasks.run_import``) find the importer by the job's ``kind``, so an
app says only what is its own: the row's fields, rules across rows, the scope
an import replaces, and how the staged rows replace the old ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from django.db.models import Model

from apps.core.importing.rows import ErrorCollector, FieldSpec
from apps.core.importing.staging import StageTable
from apps.core.models import ImportJob


class Report:
    """The validation state of one incoming report (rules across rows)."""

    def check_row(self, index: int, values: list[Any], errors: ErrorCollector) -> list[Any] | None:
        """Rules across fields and rows. Returns the values staged before the
        field values (e.g. the year), or None when the row is invalid (after
        adding its errors)."""
        return []

    def check_block(self, index: int, columns: Sequence[Sequence[str]]) -> list[list[str]] | None:
        """The fast path's ``check_row`` for a whole block of valid rows (their
        staged values column by column, as COPY text; ``index``: the first
        row's). Returns the columns staged before them (COPY text), or None to
        send the block to the row path (which then names the errors); changes
        the report's state only when it takes the block. None by default: the
        row path only."""
        return None

    def finish(self, *, rows: int, errors: ErrorCollector) -> None:
        """Rules over the whole report; add errors (and raise) when it is invalid."""

    @property
    def scope(self) -> str:
        """What the import replaces (409 while another import of it is active)."""
        raise NotImplementedError


class Importer:
    """Subclasses set the class attributes and implement ``start`` and ``apply``."""

    kind: ClassVar[str]
    model: ClassVar[type[Model]]
    fields: ClassVar[Sequence[FieldSpec]]
    # Columns staged before the field values (values from Report.check_row).
    prefix_columns: ClassVar[Sequence[str]] = ()
    invalid_message: ClassVar[Any]

    @property
    def staged_columns(self) -> list[str]:
        return [*self.prefix_columns, *(spec.column for spec in self.fields), "row_hash"]

    def start(self, *, params: Mapping[str, Any]) -> Report:
        """A new report's validation state; ``params`` are the request's query
        parameters or a command's options. Raises ValidationFailed for bad ones."""
        raise NotImplementedError

    def apply(self, *, job: ImportJob, stage: StageTable, progress: Callable[[int], None]) -> dict[str, Any]:
        """Replace the old rows of ``job.scope`` with the staged ones, inside the
        caller's transaction. Returns the job's counts."""
        raise NotImplementedError

    def after_commit(self, *, job: ImportJob) -> None:
        """Clean-up once the apply is committed (e.g. drop the old partition)."""


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    _REGISTRY[importer.kind] = importer
    return importer


def get_importer(kind: str) -> Importer:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no importer registered for kind {kind!r}") from None


def importers() -> list[Importer]:
    return list(_REGISTRY.values())
