from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ap_balance.services import ap_snapshot_prune


class Command(BaseCommand):
    help = (
        "Delete old AP open-balance snapshots, keeping the N newest (the current one always stays). "
        "Without --keep nothing is deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep", type=int, default=None, help="How many of the newest snapshots to keep.")

    def handle(self, *args: Any, **options: Any) -> None:
        keep = options["keep"]
        if keep is None:
            self.stdout.write("Keeping all snapshots (pass --keep N to prune).")
            return
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        deleted = ap_snapshot_prune(keep=keep)
        self.stdout.write(f"Deleted {deleted} snapshot(s) (with their lines); kept the {keep} newest.")
