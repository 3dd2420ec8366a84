from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.purchases.models import KashflowUser
from apps.purchases.sessions import issue_long_lived_token


class Command(BaseCommand):
    help = (
        "Issue a long-lived session token for a KashFlow API user (for clients configured with a "
        "fixed session token). Prints 'SessionToken: <token>'; only its digest is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="manage.py issue_kashflow_token")
        parser.add_argument("--days", type=int, default=None, help="Lifetime (default KASHFLOW_LONG_LIVED_TOKEN_DAYS).")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = KashflowUser.objects.select_related("user").filter(user__username=options["username"]).first()
        if owner is None:
            raise CommandError(
                f"{options['username']} is not a KashFlow API user: create it with manage.py create_kashflow_user"
            )
        if not owner.api_access or not owner.user.is_active:
            raise CommandError(f"{options['username']} has no API access")
        token = issue_long_lived_token(owner, label=options["label"], days=options["days"])
        self.stdout.write(f"SessionToken: {token}")
