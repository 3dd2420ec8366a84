from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rest_framework import exceptions as drf

from apps.core import json_guard
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.reconciliation.services import statement_create
from apps.reconciliation.validation import parse_statement


class Command(BaseCommand):
    help = (
        "Store a statement from a JSON file in the saveReconForApi shape (the same "
        "validation and rules as the API). Nothing is stored if anything is wrong."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path, help="JSON file with one statement")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            payload = json_guard.loads(path.read_bytes())  # the API's JSON rules
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from None
        except drf.ParseError as exc:
            raise CommandError(f"{path}: {exc.detail}") from None
        except json_guard.JsonRejected as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        try:
            statement = statement_create(statement=parse_statement(payload))
        except ValidationFailed as exc:
            details = "\n".join(f"  {error['field']}: {error['message']}" for error in exc.errors)
            raise CommandError(f"{exc.message}\n{details}") from None
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"statement {statement.reconciliation_no} stored as {statement.public_id}")
