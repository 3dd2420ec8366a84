import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Create (or reset) the local superuser for a developer machine and print its login. "
        "Only with DEBUG on: it never touches a production database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="Where the admin is served (printed with the login)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin only runs with DEBUG on (local settings).")
        user_model = get_user_model()
        password = secrets.token_urlsafe(12)
        user, created = user_model.objects.get_or_create(
            username=options["username"], defaults={"is_staff": True, "is_superuser": True, "email": ""}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        action = "created" if created else "password reset"
        self.stdout.write(f"Local admin {action}: {options['url']}  user: {user.username}  password: {password}")
