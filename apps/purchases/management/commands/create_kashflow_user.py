from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.exceptions import ValidationFailed
from apps.purchases.models import KashflowUser
from apps.purchases.sessions import kashflow_user_create


class Command(BaseCommand):
    help = (
        "Create (or update) a user of the KashFlow-compatible API (/v2) with a password and a "
        "memorable word. The memorable word is stored as per-character digests, never in clear."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--memorable-word", required=True, dest="memorable_word")
        parser.add_argument("--staff", action="store_true", help="Also let the user into the admin (IsAdmin).")
        parser.add_argument(
            "--read-only",
            action="store_true",
            dest="read_only",
            help="Grant purchases:read only (default: purchases:write, which includes reading).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner = kashflow_user_create(
                username=options["username"],
                password=options["password"],
                memorable_word=options["memorable_word"],
                is_staff=options["staff"],
                scope=KashflowUser.Scope.READ if options["read_only"] else KashflowUser.Scope.WRITE,
            )
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"KashFlow API user {owner.user.get_username()} is ready ({owner.scope}).")
