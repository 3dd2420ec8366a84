from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.exceptions import ValidationFailed
from apps.core.models import ApiClient
from apps.core.scopes import ApiScope
from apps.core.services import api_client_create


class Command(BaseCommand):
    help = "Create an API client and print its appKey and appSecret (shown once; only a hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the calling system, e.g. 'SAP PP'.")
        parser.add_argument("--sys", required=True, help="System code the client sends in the KDP sys header, e.g. pp.")
        parser.add_argument("--inactive", action="store_true", help="Create the client disabled.")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            choices=ApiScope.values,
            dest="scopes",
            help="A grant (repeatable): " + ", ".join(ApiScope.values) + ". None by default.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError(f"An API client named {options['name']!r} already exists.")
        try:
            credentials = api_client_create(
                name=options["name"], sys=options["sys"], is_active=not options["inactive"], scopes=options["scopes"]
            )
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)) from None
        self.stdout.write(f"appKey: {credentials.app_key}")
        self.stdout.write(f"appSecret: {credentials.app_secret}")
