from typing import Any

from django.core.management.base import BaseCommand

from apps.core.importing.housekeeping import import_bodies_purge


class Command(BaseCommand):
    help = (
        "Delete raw import bodies past their retention (IMPORT_RETENTION_SUCCEEDED_DAYS, "
        "IMPORT_RETENTION_FAILED_DAYS) and staged tables no import refers to; job rows stay. "
        "Beat runs the same every hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_bodies_purge()
        self.stdout.write(
            f"Purged {purged['succeeded']} raw bodies of applied imports, {purged['failed']} of rejected or "
            f"failed ones, and {purged['tables']} leftover staged tables."
        )
